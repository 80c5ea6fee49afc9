using System.Diagnostics;
using System.Globalization;

namespace PodVm.LocalKvmProvider.Qemu;

/// <summary>
/// Starts QEMU in a session of its own (so a Ctrl-C to the CLI or the adaptor's exit does not reach the VM) with its
/// stderr appended to a file, and waits until QMP is listening or QEMU has failed.
/// </summary>
public static class QemuLauncher
{
    public static readonly TimeSpan StartupDeadline = TimeSpan.FromSeconds(20);

    public static async Task<QemuProcess> LaunchAsync(QemuLaunchSpec spec, string stderrLog, CancellationToken cancellationToken)
    {
        var startInfo = new ProcessStartInfo("setsid")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        startInfo.ArgumentList.Add(spec.QemuBinary);
        foreach (var argument in QemuCommandLine.Build(spec))
        {
            startInfo.ArgumentList.Add(argument);
        }

        Hosting.InheritedDescriptors.MarkCloseOnExecOnce();
        File.Delete(spec.PidFile);
        var process = Process.Start(startInfo) ?? throw new QemuLaunchException($"{spec.QemuBinary} could not be started.");
        process.StandardInput.Close();
        var log = new StreamWriter(stderrLog, append: true) { AutoFlush = true };
        var gate = new Lock();
        void Append(object sender, DataReceivedEventArgs e)
        {
            if (e.Data is { } line)
            {
                lock (gate)
                {
                    log.WriteLine(line);
                }
            }
        }

        process.OutputDataReceived += Append;
        process.ErrorDataReceived += Append;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _ = process.WaitForExitAsync(CancellationToken.None).ContinueWith(_ => log.Dispose(), TaskScheduler.Default);

        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited)
            {
                await process.WaitForExitAsync(cancellationToken);
                var stderr = File.Exists(stderrLog) ? await File.ReadAllTextAsync(stderrLog, cancellationToken) : "";
                var code = process.ExitCode;
                process.Dispose();
                throw new QemuLaunchException($"QEMU exited with code {code.ToString(CultureInfo.InvariantCulture)} while starting: {stderr.Trim()}");
            }

            if (File.Exists(spec.QmpSocket) && File.Exists(spec.PidFile) && HostProcess.StartTime(process.Id) is { } startTime)
            {
                return QemuProcess.Started(process, startTime);
            }

            if (deadline.Elapsed > StartupDeadline)
            {
                process.Kill();
                process.Dispose();
                throw new QemuLaunchException($"QEMU did not open its QMP socket within {StartupDeadline.TotalSeconds} s.");
            }

            await Task.Delay(20, cancellationToken);
        }
    }
}
