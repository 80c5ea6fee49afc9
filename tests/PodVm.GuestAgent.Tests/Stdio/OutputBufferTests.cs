using System.IO.Pipes;
using PodVm.GuestAgent.Stdio;

namespace PodVm.GuestAgent.Tests.Stdio;

public sealed class OutputBufferTests
{
    [Fact]
    public async Task ReadAsync_WriterFasterThanReader_MemoryStaysBounded()
    {
        using var server = new AnonymousPipeServerStream(PipeDirection.Out);
        using var client = new AnonymousPipeClientStream(PipeDirection.In, server.ClientSafePipeHandle);
        const int Capacity = 256 * 1024;
        using var buffer = new OutputBuffer(client, Capacity);
        var chunk = new byte[64 * 1024];
        const long Total = 100L * 1024 * 1024;

        var writer = Task.Run(() =>
        {
            for (long written = 0; written < Total; written += chunk.Length)
            {
                server.Write(chunk);
            }

            server.Dispose();
        });

        // Bounded wait until the buffer's pump has taken something in (on a loaded machine that can take a while);
        // 100 MiB cannot fit in the pipe plus the buffer, so the writer is blocked from then on.
        for (var i = 0; i < 1500 && buffer.Buffered == 0; i++)
        {
            await Task.Delay(20);
        }

        Assert.False(writer.IsCompleted, "the writer must block when nobody reads");
        Assert.InRange(buffer.Buffered, 1, Capacity + (64 * 1024));

        long read = 0;
        long maxBuffered = 0;
        while (await buffer.ReadAsync(OutputBuffer.MaxReadBytes, CancellationToken.None).DefaultTimeout() is { } data)
        {
            read += data.Length;
            maxBuffered = Math.Max(maxBuffered, buffer.Buffered);
        }

        await writer.DefaultTimeout();
        Assert.Equal(Total, read);
        Assert.InRange(maxBuffered, 0, Capacity + (64 * 1024));
    }

    [Fact]
    public async Task ReadAsync_EndOfStream_ReturnsNullAfterData()
    {
        using var server = new AnonymousPipeServerStream(PipeDirection.Out);
        using var client = new AnonymousPipeClientStream(PipeDirection.In, server.ClientSafePipeHandle);
        using var buffer = new OutputBuffer(client, 64 * 1024);
        server.Write("hello"u8);
        server.Dispose();

        var first = await buffer.ReadAsync(3, CancellationToken.None).DefaultTimeout();
        var second = await buffer.ReadAsync(100, CancellationToken.None).DefaultTimeout();
        var end = await buffer.ReadAsync(100, CancellationToken.None).DefaultTimeout();

        Assert.Equal("hel"u8.ToArray(), first);
        Assert.Equal("lo"u8.ToArray(), second);
        Assert.Null(end);
    }

    [Fact]
    public async Task ReadAsync_Cancelled_BufferStillUsable()
    {
        using var server = new AnonymousPipeServerStream(PipeDirection.Out);
        using var client = new AnonymousPipeClientStream(PipeDirection.In, server.ClientSafePipeHandle);
        using var buffer = new OutputBuffer(client, 64 * 1024);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => buffer.ReadAsync(10, cts.Token)).DefaultTimeout();
        server.Write("x"u8);

        Assert.Equal("x"u8.ToArray(), await buffer.ReadAsync(10, CancellationToken.None).DefaultTimeout());
    }

    [Fact]
    public async Task Dispose_ProcessKeepsPipeOpen_ReturnsAndPumpStops()
    {
        using var server = new AnonymousPipeServerStream(PipeDirection.Out);
        using var client = new AnonymousPipeClientStream(PipeDirection.In, server.ClientSafePipeHandle);
        var buffer = new OutputBuffer(client, 64 * 1024);

        // A container's background child can hold the pipe's write end forever; removing the container must not hang.
        await Task.Run(buffer.Dispose).DefaultTimeout();

        await buffer.Completion.DefaultTimeout();
    }
}
