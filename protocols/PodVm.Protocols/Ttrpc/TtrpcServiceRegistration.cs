using Google.Protobuf;
using Grpc.Core;

namespace PodVm.Protocols.Ttrpc;

/// <summary>
/// Binds the unary methods of one protobuf service to a <see cref="TtrpcServer"/> by direct calls, as an alternative
/// to a generated <c>BindService(ServiceBinderBase, impl)</c>.
/// </summary>
/// <remarks>
/// Why it exists: the generated binder calls <see cref="ServiceBinderBase"/>'s generic <em>virtual</em> AddMethod once
/// per method. NativeAOT compiles such a call for reference-type arguments as shared code and resolves each
/// instantiation the first time it runs, building the generic method's dictionary with its run-time type loader.
/// In the guest agent (42 methods) that was 29% of its start-up CPU in a profile under QEMU TCG, on the one emulated
/// vCPU the forwarder needs before the pod VM is ready. <see cref="Unary{TRequest, TResponse}"/> is a non-virtual
/// generic method of a sealed class, so the compiler sees every instantiation and emits its dictionary ahead of time.
/// The wire behaviour is the generated code's: the same marshalling (buffer serialization, parse from the payload) and
/// the same handler delegates. <see cref="Methods"/> lists what was bound, so a test can compare it with the service
/// descriptor and a binding cannot drift from the .proto unnoticed.
/// </remarks>
public sealed class TtrpcServiceRegistration
{
    private readonly TtrpcServer _server;
    private readonly List<TtrpcBoundMethod> _methods = [];

    /// <param name="server">The server to bind to.</param>
    /// <param name="serviceName">The full protobuf service name, e.g. <c>grpc.AgentService</c>.</param>
    public TtrpcServiceRegistration(TtrpcServer server, string serviceName)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentException.ThrowIfNullOrEmpty(serviceName);
        _server = server;
        ServiceName = serviceName;
    }

    public string ServiceName { get; }

    /// <summary>The methods bound so far, in order.</summary>
    public IReadOnlyList<TtrpcBoundMethod> Methods => _methods;

    /// <summary>Binds one unary method.</summary>
    public TtrpcServiceRegistration Unary<TRequest, TResponse>(string name, MessageParser<TRequest> requestParser, MessageParser<TResponse> responseParser, UnaryServerMethod<TRequest, TResponse> handler)
        where TRequest : class, IMessage<TRequest>, IBufferMessage
        where TResponse : class, IMessage<TResponse>, IBufferMessage
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(requestParser);
        ArgumentNullException.ThrowIfNull(responseParser);
        ArgumentNullException.ThrowIfNull(handler);
        var method = new Method<TRequest, TResponse>(MethodType.Unary, ServiceName, name, BufferMarshaller(requestParser), BufferMarshaller(responseParser));
        _server.Binder.Add(ServiceName, name, new TtrpcServerMethods.Unary<TRequest, TResponse>(method, handler));
        _methods.Add(new TtrpcBoundMethod(name, typeof(TRequest), typeof(TResponse)));
        return this;
    }

    // The generated code's marshaller for buffer messages: the size first, then one write into the context's buffer;
    // parsed from the payload as it is.
    private static Marshaller<T> BufferMarshaller<T>(MessageParser<T> parser)
        where T : class, IMessage<T>, IBufferMessage =>
        Marshallers.Create<T>(
            static (message, context) =>
            {
                context.SetPayloadLength(message.CalculateSize());
                message.WriteTo(context.GetBufferWriter());
                context.Complete();
            },
            context => parser.ParseFrom(context.PayloadAsReadOnlySequence()));
}
