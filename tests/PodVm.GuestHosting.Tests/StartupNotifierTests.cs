using System.Diagnostics;

namespace PodVm.GuestHosting.Tests;

public sealed class StartupNotifierTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("podvm-notify-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Open_MissingPath_IOExceptionNamesThePath()
    {
        var path = Path.Combine(_dir, "absent", "notify");

        var ex = Assert.Throws<IOException>(() => StartupNotifier.Open(path, "podvm-test"));

        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Notify_RegularFile_OneLinePerStateInOrder()
    {
        var path = Path.Combine(_dir, "notify");
        File.WriteAllBytes(path, []);

        using (var notifier = StartupNotifier.Open(path, "podvm-test"))
        {
            Assert.True(notifier.Notify(StartupNotifier.Configured));
            Assert.True(notifier.Notify(StartupNotifier.Ready));
        }

        Assert.Equal("CONFIGURED=1\nREADY=1\n", File.ReadAllText(path));
    }

    [Fact]
    public void Notify_AfterDispose_FalseAndNothingWritten()
    {
        var path = Path.Combine(_dir, "notify");
        File.WriteAllBytes(path, []);
        var notifier = StartupNotifier.Open(path, "podvm-test");
        notifier.Dispose();

        Assert.False(notifier.Notify(StartupNotifier.Failed));
        Assert.Equal(string.Empty, File.ReadAllText(path));
    }

    [Fact]
    public async Task Notify_Fifo_ReaderSeesEachLineAsItIsWritten()
    {
        var fifo = MakeFifo();
        // As the pod VM's /init does: the reader holds the FIFO open read-write, so the writer's open never waits.
        await using var reader = new FileStream(fifo, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite, bufferSize: 0);
        using var lines = new StreamReader(reader);

        using var notifier = StartupNotifier.Open(fifo, "podvm-test");
        notifier.Notify(StartupNotifier.Configured);
        Assert.Equal("CONFIGURED=1", await lines.ReadLineAsync().DefaultTimeout());
        notifier.Notify(StartupNotifier.Ready);
        Assert.Equal("READY=1", await lines.ReadLineAsync().DefaultTimeout());
    }

    [Fact]
    public void Notify_FifoReaderGone_FalseInsteadOfThrowing()
    {
        var fifo = MakeFifo();
        var reader = new FileStream(fifo, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite, bufferSize: 0);
        using var notifier = StartupNotifier.Open(fifo, "podvm-test");
        reader.Dispose();

        Assert.False(notifier.Notify(StartupNotifier.Ready));
    }

    private string MakeFifo()
    {
        Requires.Tool("mkfifo", "coreutils");
        var path = Path.Combine(_dir, "notify.fifo");
        using var mkfifo = Process.Start(new ProcessStartInfo("mkfifo", ["-m", "0600", path]) { UseShellExecute = false })!;
        Assert.True(mkfifo.WaitForExit(TimeSpan.FromSeconds(10)), "mkfifo did not finish in 10 s");
        Assert.Equal(0, mkfifo.ExitCode);
        return path;
    }

    [Fact]
    public void TryOpen_NoPath_TrueAndNoNotifier()
    {
        Assert.True(StartupNotifier.TryOpen(null, "podvm-test", out var notifier));
        Assert.Null(notifier);
    }

    [Fact]
    public void TryOpen_MissingPath_FalseAndNoNotifier()
    {
        Assert.False(StartupNotifier.TryOpen(Path.Combine(_dir, "absent", "notify"), "podvm-test", out var notifier));
        Assert.Null(notifier);
    }

    [Fact]
    public void TryOpen_ExistingFile_Notifier()
    {
        var path = Path.Combine(_dir, "notify");
        File.WriteAllBytes(path, []);

        Assert.True(StartupNotifier.TryOpen(path, "podvm-test", out var notifier));
        using (notifier)
        {
            Assert.True(notifier!.Notify(StartupNotifier.Ready));
        }

        Assert.Equal("READY=1\n", File.ReadAllText(path));
    }

    [Fact]
    public async Task RunAsync_StartFails_FailedWrittenAndItsExitCodeReturned()
    {
        var path = Path.Combine(_dir, "notify");
        File.WriteAllBytes(path, []);

        var exitCode = await StartupNotifier.RunAsync(path, "podvm-test", _ => Task.FromResult(3));

        Assert.Equal(3, exitCode);
        Assert.Equal("FAILED=1\n", File.ReadAllText(path));
    }

    [Fact]
    public async Task RunAsync_ReadyThenExitZero_OnlyReady()
    {
        var path = Path.Combine(_dir, "notify");
        File.WriteAllBytes(path, []);

        var exitCode = await StartupNotifier.RunAsync(path, "podvm-test", notifier =>
        {
            notifier!.Notify(StartupNotifier.Ready);
            return Task.FromResult(0);
        });

        Assert.Equal(0, exitCode);
        Assert.Equal("READY=1\n", File.ReadAllText(path));
    }

    [Fact]
    public async Task RunAsync_UnopenableTarget_ExitCode2WithoutStarting()
    {
        var started = false;

        var exitCode = await StartupNotifier.RunAsync(Path.Combine(_dir, "absent", "notify"), "podvm-test", _ =>
        {
            started = true;
            return Task.FromResult(0);
        });

        Assert.Equal(2, exitCode);
        Assert.False(started);
    }
}
