using System.Diagnostics;

namespace PodVm.Interop.Tests;

/// <summary>
/// The Go peer in <c>serve</c> mode on a unix socket. It is ready once it prints its "listening" line; disposing
/// closes its stdin, which makes it stop, and kills it if it has not exited within a few seconds.
/// </summary>
internal sealed class GoPeerServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Task<string> _stderr;

    private GoPeerServer(Process process, string socketPath)
    {
        _process = process;
        SocketPath = socketPath;
        _stderr = process.StandardError.ReadToEndAsync();
    }

    public string SocketPath { get; }

    public string Address => "unix://" + SocketPath;

    public int ProcessId => _process.Id;

    public static async Task<GoPeerServer> StartAsync(string peerPath, string socketPath, string mode = "serve")
    {
        var start = new ProcessStartInfo(peerPath)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(mode);
        start.ArgumentList.Add("-socket");
        start.ArgumentList.Add(socketPath);
        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {peerPath}");
        var server = new GoPeerServer(process, socketPath);
        try
        {
            var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(15));
            if (line is null || !line.Contains("\"listening\"", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"Go peer did not start: {line}\n{await server.StderrAsync()}");
            }

            _ = process.StandardOutput.ReadToEndAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Kills the peer at once (simulates a crashed server).</summary>
    public void Kill() => _process.Kill(entireProcessTree: true);

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.StandardInput.Close();
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(5));
            }
        }
        catch (Exception ex) when (ex is TimeoutException or IOException or InvalidOperationException)
        {
            _process.Kill(entireProcessTree: true);
        }
        finally
        {
            _process.Dispose();
        }
    }

    private async Task<string> StderrAsync()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
            return await _stderr.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception ex) when (ex is TimeoutException or InvalidOperationException)
        {
            return string.Empty;
        }
    }
}
