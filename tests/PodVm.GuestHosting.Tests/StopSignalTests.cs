using System.Diagnostics;

namespace PodVm.GuestHosting.Tests;

public sealed class StopSignalTests
{
    [Fact]
    public async Task WaitAsync_Sigterm_ReturnsAndTokenCancelled()
    {
        using var stop = new StopSignal();
        var waiting = stop.WaitAsync();
        Assert.False(waiting.IsCompleted);

        // The handler cancels the default action (termination), so the test process survives its own SIGTERM.
        using (var kill = Process.Start("kill", ["-TERM", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync().DefaultTimeout();
        }

        await waiting.DefaultTimeout();
        Assert.True(stop.Token.IsCancellationRequested);
    }
}
