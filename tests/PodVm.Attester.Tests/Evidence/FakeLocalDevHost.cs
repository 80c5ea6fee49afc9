using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace PodVm.Attester.Tests.Evidence;

/// <summary>
/// The host end of the local development TEE's side channel on a unix socket: reads one JSON request line per
/// connection and writes the lines <c>respond</c> returns, then waits for the guest to close.
/// </summary>
internal sealed class FakeLocalDevHost : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly Func<JsonObject, IEnumerable<string>> _respond;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _active;

    public FakeLocalDevHost(string socketPath, Func<JsonObject, IEnumerable<string>> respond)
    {
        SocketPath = socketPath;
        _respond = respond;
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(socketPath));
        _listener.Listen(16);
        _loop = AcceptAsync();
    }

    public string SocketPath { get; }

    public List<JsonObject> Requests { get; } = [];

    public int MaxConcurrent { get; private set; }

    public static string Reply(string id, string? report = null, string? error = null)
    {
        var reply = new JsonObject { ["type"] = "tee-report", ["id"] = id };
        if (report is not null)
        {
            reply["report"] = report;
        }

        if (error is not null)
        {
            reply["error"] = error;
        }

        return reply.ToJsonString();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        await _loop.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        var connections = new List<Task>();
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var client = await _listener.AcceptAsync(_stop.Token);
                connections.Add(ServeAsync(client));
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }

        await Task.WhenAll(connections).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task ServeAsync(Socket client)
    {
        using (client)
        {
            try
            {
                await using var stream = new NetworkStream(client, ownsSocket: false);
                using var reader = new StreamReader(stream, Encoding.UTF8);
                var line = await reader.ReadLineAsync(_stop.Token);
                if (line is null)
                {
                    return;
                }

                // Concurrency is counted from request until just before the reply is sent: a serialised client
                // cannot overlap these windows (it sends its next request only after reading this reply, whereas
                // ending the window after the write would race with that next request on a loaded machine).
                var active = Interlocked.Increment(ref _active);
                var request = (JsonObject)JsonNode.Parse(line)!;
                lock (Requests)
                {
                    Requests.Add(request);
                    MaxConcurrent = Math.Max(MaxConcurrent, active);
                }

                List<string> replies;
                try
                {
                    replies = _respond(request).ToList();
                }
                finally
                {
                    Interlocked.Decrement(ref _active);
                }

                foreach (var reply in replies)
                {
                    await stream.WriteAsync(Encoding.UTF8.GetBytes(reply + "\n"), _stop.Token);
                }

                // Wait for the guest to close its end (it closes after reading the reply).
                var buffer = new byte[256];
                while (await stream.ReadAsync(buffer, _stop.Token) > 0)
                {
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException)
            {
            }
        }
    }
}
