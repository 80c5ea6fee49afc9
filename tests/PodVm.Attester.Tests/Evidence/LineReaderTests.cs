using System.IO.Pipelines;
using System.Text;
using PodVm.Attester.Evidence;

namespace PodVm.Attester.Tests.Evidence;

public sealed class LineReaderTests
{
    [Fact]
    public async Task ReadLineAsync_LinesSplitAcrossWrites_AreReassembled()
    {
        var pipe = new Pipe();
        var reader = new LineReader(pipe.Reader.AsStream(), 1024);
        await pipe.Writer.WriteAsync(Encoding.ASCII.GetBytes("{\"a\":"));
        await pipe.Writer.WriteAsync(Encoding.ASCII.GetBytes("1}\r\nsecond\nthi"));
        await pipe.Writer.WriteAsync(Encoding.ASCII.GetBytes("rd"));
        await pipe.Writer.CompleteAsync();

        Assert.Equal("{\"a\":1}", Encoding.ASCII.GetString((await reader.ReadLineAsync(CancellationToken.None).AsTask().DefaultTimeout())!));
        Assert.Equal("second", Encoding.ASCII.GetString((await reader.ReadLineAsync(CancellationToken.None).AsTask().DefaultTimeout())!));
        Assert.Null(await reader.ReadLineAsync(CancellationToken.None).AsTask().DefaultTimeout());
    }

    [Fact]
    public async Task ReadLineAsync_LineOverLimit_Throws()
    {
        var reader = new LineReader(new MemoryStream(Encoding.ASCII.GetBytes(new string('x', 100) + "\n")), 50);

        await Assert.ThrowsAsync<EvidenceException>(() => reader.ReadLineAsync(CancellationToken.None).AsTask()).DefaultTimeout();
    }

    [Fact]
    public async Task ReadLineAsync_LineExactlyAtLimit_IsAccepted()
    {
        var reader = new LineReader(new MemoryStream(Encoding.ASCII.GetBytes(new string('x', 50) + "\n")), 50);

        Assert.Equal(50, (await reader.ReadLineAsync(CancellationToken.None).AsTask().DefaultTimeout())!.Length);
    }

    [Fact]
    public async Task ReadLineAsync_StreamThatNeverAnswers_EndsAtTheDeadline()
    {
        var pipe = new Pipe();
        var reader = new LineReader(pipe.Reader.AsStream(), 50);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reader.ReadLineAsync(cts.Token).AsTask()).DefaultTimeout();
    }
}
