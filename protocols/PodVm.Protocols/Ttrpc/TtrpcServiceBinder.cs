using System.Collections.Concurrent;
using Grpc.Core;

namespace PodVm.Protocols.Ttrpc;

/// <summary>
/// Collects the methods a generated service base binds (e.g. <c>AgentService.BindService(server.Services, impl)</c>),
/// keyed by the ttrpc service and method strings.
/// </summary>
internal sealed class TtrpcServiceBinder : ServiceBinderBase
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, TtrpcServerMethod>> _services = new(StringComparer.Ordinal);

    public bool HasService(string service) => _services.ContainsKey(service);

    public bool TryGet(string service, string method, out TtrpcServerMethod? handler, out bool serviceKnown)
    {
        handler = null;
        serviceKnown = _services.TryGetValue(service, out var methods);
        return serviceKnown && methods!.TryGetValue(method, out handler);
    }

    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse>? handler) =>
        Add(method.ServiceName, method.Name, handler is null ? null : new TtrpcServerMethods.Unary<TRequest, TResponse>(method, handler));

    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ClientStreamingServerMethod<TRequest, TResponse>? handler) =>
        Add(method.ServiceName, method.Name, handler is null ? null : new TtrpcServerMethods.ClientStreaming<TRequest, TResponse>(method, handler));

    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse>? handler) =>
        Add(method.ServiceName, method.Name, handler is null ? null : new TtrpcServerMethods.ServerStreaming<TRequest, TResponse>(method, handler));

    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse>? handler) =>
        Add(method.ServiceName, method.Name, handler is null ? null : new TtrpcServerMethods.DuplexStreaming<TRequest, TResponse>(method, handler));

    /// <summary>Binds a method (null handler: the service is known, the method answers Unimplemented).</summary>
    internal void Add(string service, string method, TtrpcServerMethod? handler)
    {
        var methods = _services.GetOrAdd(service, static _ => new ConcurrentDictionary<string, TtrpcServerMethod>(StringComparer.Ordinal));
        if (handler is not null)
        {
            methods[method] = handler;
        }
    }
}
