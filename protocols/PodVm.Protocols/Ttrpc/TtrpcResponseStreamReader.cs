using Grpc.Core;

namespace PodVm.Protocols.Ttrpc;

/// <summary>Reads typed messages from the server's side of a ttrpc stream.</summary>
internal sealed class TtrpcResponseStreamReader<T>(TtrpcClientStream stream, Marshaller<T> marshaller) : IAsyncStreamReader<T>
{
    private T? _current;

    public T Current => _current ?? throw new InvalidOperationException("MoveNext has not returned true");

    public async Task<bool> MoveNext(CancellationToken cancellationToken)
    {
        var message = await stream.ReadAsync(cancellationToken).ConfigureAwait(false);
        if (message is null)
        {
            var response = await stream.Response.ConfigureAwait(false);
            if (!response.IsSuccess)
            {
                throw response.ToException();
            }

            return false;
        }

        _current = marshaller.ContextualDeserializer(new TtrpcDeserializationContext(message.Value));
        return true;
    }
}
