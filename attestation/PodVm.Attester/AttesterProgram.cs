using System.Net.Sockets;
using PodVm.Attester.Configuration;
using PodVm.GuestHosting;

namespace PodVm.Attester;

/// <summary>
/// The attester's program (<c>podvm-attester</c>): evidence, the KBS client and the confidential-data-hub endpoint.
/// Called by this project's Program.cs and by the multi-call guest binary (PodVm.GuestMultiCall).
/// </summary>
public static class AttesterProgram
{
    /// <summary>Parses the command line, serves until SIGTERM or SIGINT, and returns the exit code.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        AttesterOptions options;
        try
        {
            if (args is ["--help" or "-h"])
            {
                Console.WriteLine(AttesterCommandLine.Usage);
                return 0;
            }

            options = AttesterCommandLine.Parse(args);
        }
        catch (AttesterConfigException ex)
        {
            await Console.Error.WriteLineAsync("podvm-attester: " + ex.Message + Environment.NewLine + AttesterCommandLine.Usage).ConfigureAwait(false);
            return 2;
        }

        using var loggerFactory = GuestConsoleLoggerFactory.ForStandardOutput("podvm-attester");
        using var stop = new StopSignal();

        // The vTPM (when the VM has one) binds the initdata into PCR8 before anything can attest.
        using var vtpm = await PodVm.Attester.Tpm.VtpmStartup.TryStartAsync(options, loggerFactory.CreateLogger("podvm-attester"), stop.Token).ConfigureAwait(false);

        AttesterHost host;
        try
        {
            host = AttesterHost.Start(options, loggerFactory, TimeProvider.System, vtpm: vtpm);
        }
        catch (SocketException ex)
        {
            await Console.Error.WriteLineAsync($"podvm-attester: cannot listen on {options.Listen}: {ex.Message}").ConfigureAwait(false);
            return 1;
        }

        await using (host.ConfigureAwait(false))
        {
            await stop.WaitAsync().ConfigureAwait(false);
            AttesterLog.Stopping(loggerFactory.CreateLogger("podvm-attester"));
        }

        return 0;
    }
}
