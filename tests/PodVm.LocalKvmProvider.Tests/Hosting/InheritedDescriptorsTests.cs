using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using PodVm.LocalKvmProvider.Hosting;

namespace PodVm.LocalKvmProvider.Tests.Hosting;

/// <summary>
/// Alone (its own non-parallel collection): marking changes every descriptor of the test process, and a QEMU launch
/// in another test would mark this test's descriptor between its "before" and "after" checks.
/// </summary>
[Collection(ProcessWideDescriptors.Name)]
public sealed partial class InheritedDescriptorsTests : IDisposable
{
    private readonly string _file = Path.GetTempFileName();

    public void Dispose() => File.Delete(_file);

    [Fact]
    public void MarkCloseOnExec_InheritableDescriptor_NoLongerReachesAChild()
    {
        using var handle = File.OpenHandle(_file, FileMode.Open, FileAccess.Read);
        // dup() gives a descriptor without close-on-exec, as one inherited from a parent (flock's lock, a CI pipe) is.
        var inheritable = Dup((int)handle.DangerousGetHandle());
        Assert.True(inheritable > 2, $"dup failed: errno {Marshal.GetLastPInvokeError()}");
        try
        {
            Assert.True(ChildSees(inheritable), "before: a child process should inherit the dup'd descriptor");

            var marked = InheritedDescriptors.MarkCloseOnExec();

            Assert.True(marked >= 1, $"marked {marked} descriptors");
            Assert.False(ChildSees(inheritable), "after: the descriptor should be closed in the child");
            Assert.Equal(0, InheritedDescriptors.MarkCloseOnExec());
        }
        finally
        {
            Close(inheritable);
        }
    }

    [Fact]
    public void MarkCloseOnExec_StandardStreams_StillReachAChild()
    {
        InheritedDescriptors.MarkCloseOnExec();

        var output = RunShell("echo out; echo err >&2");

        Assert.Equal("out", output);
    }

    private static bool ChildSees(int fd) =>
        RunShell(string.Create(CultureInfo.InvariantCulture, $"if [ -e /proc/self/fd/{fd} ]; then echo yes; else echo no; fi")) == "yes";

    private static string RunShell(string script)
    {
        var startInfo = new ProcessStartInfo("/bin/sh", ["-c", script])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(startInfo)!;
        var output = process.StandardOutput.ReadToEnd();
        _ = process.StandardError.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(10)), "sh did not finish in 10 s");
        return output.Trim();
    }

    [LibraryImport("libc", EntryPoint = "dup", SetLastError = true)]
    private static partial int Dup(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
