using System.Diagnostics;
using PodVm.LocalKvmProvider.Qemu;
using PodVm.LocalKvmProvider.Vms;

namespace PodVm.LocalKvmProvider.Tpm;

/// <summary>
/// Starts one swtpm (TPM 2.0) for one VM, in a session of its own like QEMU: state in the VM directory's tpm/, its
/// control socket (QEMU's <c>-tpmdev emulator</c> connects there) and log beside it. Waits until the socket exists.
/// swtpm ends when QEMU disconnects; the provider kills it by pid and start time when it cleans the VM up.
/// </summary>
public static class SwtpmLauncher
{
    public static readonly TimeSpan StartupDeadline = TimeSpan.FromSeconds(10);

    /// <summary>The arguments after the binary name.</summary>
    public static IReadOnlyList<string> Arguments(VmDirectory directory) =>
    [
        "socket", "--tpm2",
        "--tpmstate", $"dir={directory.TpmStateDirectory},mode=0600",
        "--ctrl", $"type=unixio,path={directory.TpmSocket},mode=0600",
        "--log", $"file={directory.TpmLog},level=1",
        "--terminate",
    ];

    /// <summary>Starts swtpm; returns its pid and start time once the control socket is there.</summary>
    public static async Task<(int Pid, long StartTime)> StartAsync(string swtpmBinary, VmDirectory directory, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory.TpmStateDirectory);
        File.Delete(directory.TpmSocket);
        var startInfo = new ProcessStartInfo("setsid") { UseShellExecute = false };
        startInfo.ArgumentList.Add(swtpmBinary);
        foreach (var argument in Arguments(directory))
        {
            startInfo.ArgumentList.Add(argument);
        }

        Hosting.InheritedDescriptors.MarkCloseOnExecOnce();
        Process process;
        try
        {
            process = Process.Start(startInfo) ?? throw new SwtpmException($"{swtpmBinary} could not be started.");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new SwtpmException($"{swtpmBinary} could not be started: {e.Message} (install the Debian package swtpm, or set LocalKvm:SwtpmBinary).", e);
        }

        var started = false;
        try
        {
            var deadline = Stopwatch.StartNew();
            while (true)
            {
                if (process.HasExited)
                {
                    var log = File.Exists(directory.TpmLog) ? (await File.ReadAllTextAsync(directory.TpmLog, cancellationToken)).Trim() : "";
                    throw new SwtpmException($"swtpm exited with code {process.ExitCode} while starting (is the Debian package swtpm installed?): {log}");
                }

                if (File.Exists(directory.TpmSocket) && HostProcess.StartTime(process.Id) is { } startTime)
                {
                    // Reaped (and the handle released) when it exits, so no zombie is left behind.
                    started = true;
                    _ = process.WaitForExitAsync(CancellationToken.None).ContinueWith(_ => process.Dispose(), TaskScheduler.Default);
                    return (process.Id, startTime);
                }

                if (deadline.Elapsed > StartupDeadline)
                {
                    throw new SwtpmException($"swtpm did not open its control socket {directory.TpmSocket} within {StartupDeadline.TotalSeconds} s.");
                }

                await Task.Delay(10, cancellationToken);
            }
        }
        finally
        {
            if (!started)
            {
                if (!process.HasExited)
                {
                    process.Kill();
                }

                process.Dispose();
            }
        }
    }
}
