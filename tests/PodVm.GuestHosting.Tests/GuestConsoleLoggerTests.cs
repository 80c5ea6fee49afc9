using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace PodVm.GuestHosting.Tests;

public sealed class GuestConsoleLoggerTests
{
    private readonly MemoryStream _console = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 27, 21, 5, 9, 123, TimeSpan.Zero));

    [Fact]
    public void Log_Information_OneLineInTheSimpleConsoleFormatWithUtcTime()
    {
        using var factory = new GuestConsoleLoggerFactory(new GuestConsoleSink(_console), LogLevel.Information, _time);

        factory.CreateLogger("PodVm.Forwarder").LogInformation(new EventId(4100, "Listening"), "Forwarder listening on {Endpoint}", "0.0.0.0:15150");

        Assert.Equal("21:05:09.123 info: PodVm.Forwarder[4100] Forwarder listening on 0.0.0.0:15150\n", Written());
    }

    [Theory]
    [InlineData(0, 0, 0, 0, "00:00:00.000 ")]
    [InlineData(9, 5, 7, 45, "09:05:07.045 ")]
    [InlineData(23, 59, 59, 999, "23:59:59.999 ")]
    [InlineData(12, 30, 0, 100, "12:30:00.100 ")]
    public void Log_TimeOfDay_ZeroPaddedLikeTheCustomFormat(int hour, int minute, int second, int millisecond, string expected)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 28, hour, minute, second, millisecond, TimeSpan.Zero));
        using var factory = new GuestConsoleLoggerFactory(new GuestConsoleSink(_console), LogLevel.Information, time);

        factory.CreateLogger("c").LogInformation("m");

        Assert.Equal(expected + "info: c[0] m\n", Written());
        Assert.Equal(time.GetUtcNow().ToString("HH:mm:ss.fff ", System.Globalization.CultureInfo.InvariantCulture), expected);
    }

    [Fact]
    public void FactoryWriteLine_SameLineAsTheLoggerWrites()
    {
        using var factory = new GuestConsoleLoggerFactory(new GuestConsoleSink(_console), LogLevel.Information, _time);

        factory.CreateLogger("podvm-guest-agent").Log(LogLevel.Warning, new EventId(4000), "no policy\nset");
        factory.WriteLine(LogLevel.Warning, "podvm-guest-agent", 4000, "no policy\nset");

        var lines = Written().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Equal("21:05:09.123 warn: podvm-guest-agent[4000] no policy set", lines[0]);
        Assert.Equal(lines[0], lines[1]);
    }

    [Fact]
    public void FactoryWriteLine_BelowTheMinimumLevel_WritesNothing()
    {
        using var factory = new GuestConsoleLoggerFactory(new GuestConsoleSink(_console), LogLevel.Warning, _time);

        factory.WriteLine(LogLevel.Information, "c", 1, "quiet");
        factory.WriteLine(LogLevel.None, "c", 1, "never");

        Assert.Equal(string.Empty, Written());
    }

    [Theory]
    [InlineData(LogLevel.Trace, "trce")]
    [InlineData(LogLevel.Debug, "dbug")]
    [InlineData(LogLevel.Warning, "warn")]
    [InlineData(LogLevel.Error, "fail")]
    [InlineData(LogLevel.Critical, "crit")]
    public void Log_EachLevel_ItsFourLetterName(LogLevel level, string name)
    {
        using var factory = new GuestConsoleLoggerFactory(new GuestConsoleSink(_console), LogLevel.Trace, _time);

        factory.CreateLogger("c").Log(level, "m");

        Assert.Equal($"21:05:09.123 {name}: c[0] m\n", Written());
    }

    [Fact]
    public void Log_BelowTheMinimumLevel_WritesNothing()
    {
        using var factory = new GuestConsoleLoggerFactory(new GuestConsoleSink(_console), LogLevel.Warning, _time);
        var logger = factory.CreateLogger("c");

        logger.LogInformation("not shown");
        logger.LogDebug("not shown");

        Assert.False(logger.IsEnabled(LogLevel.Information));
        Assert.True(logger.IsEnabled(LogLevel.Warning));
        Assert.Equal(string.Empty, Written());
    }

    [Fact]
    public void Log_MessageAndExceptionWithNewlines_StayOnOneLine()
    {
        using var factory = new GuestConsoleLoggerFactory(new GuestConsoleSink(_console), LogLevel.Information, _time);

        factory.CreateLogger("c").LogError(new InvalidOperationException("boom\nsecond"), "first\nsecond");

        var written = Written();
        Assert.Single(written.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("21:05:09.123 fail: c[0] first second System.InvalidOperationException: boom second", written, StringComparison.Ordinal);
    }

    [Fact]
    public void CreateLogger_SameCategory_SameLogger()
    {
        using var factory = new GuestConsoleLoggerFactory(new GuestConsoleSink(_console), LogLevel.Information, _time);

        Assert.Same(factory.CreateLogger("c"), factory.CreateLogger("c"));
        Assert.Null(factory.CreateLogger("c").BeginScope("scope"));
        Assert.Throws<NotSupportedException>(() => factory.AddProvider(null!));
    }

    [Fact]
    public async Task Log_ManyThreadsAtOnce_LinesNeverInterleave()
    {
        using var factory = new GuestConsoleLoggerFactory(new GuestConsoleSink(_console), LogLevel.Information, _time);
        var text = new string('x', 500);

        await Task.WhenAll(Enumerable.Range(0, 8).Select(t => Task.Run(() =>
        {
            var logger = factory.CreateLogger($"t{t}");
            for (var i = 0; i < 200; i++)
            {
                logger.LogInformation("{Text}", text);
            }
        }))).DefaultTimeout();

        var lines = Written().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(1600, lines.Length);
        Assert.All(lines, line => Assert.Matches("^21:05:09\\.123 info: t[0-7]\\[0\\] x{500}$", line));
    }

    [Fact]
    public void WriteLine_ConsoleGone_LineLostProgramGoesOn()
    {
        var sink = new GuestConsoleSink(new BrokenStream());

        sink.WriteLine("lost");
    }

    private string Written() => Encoding.UTF8.GetString(_console.ToArray());

    private sealed class BrokenStream : MemoryStream
    {
        public override void Write(ReadOnlySpan<byte> buffer) => throw new IOException("Broken pipe");
    }
}
