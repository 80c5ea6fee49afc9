using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using PodVm.Protocols.Ttrpc;

namespace PodVm.Protocols.Tests.Ttrpc;

public sealed class TtrpcLoggingTests
{
    [Fact]
    public void LogCategory_IsTheFullTypeName_AsCreateLoggerOfTGaveIt()
    {
        Assert.Equal(TtrpcServer.LogCategory, typeof(TtrpcServer).FullName);
        Assert.Equal(TtrpcClient.LogCategory, typeof(TtrpcClient).FullName);
    }

    [Theory]
    [InlineData(true, 1)]
    [InlineData(false, 0)]
    public async Task StartAsync_LogListening_ListeningLineOnlyWhenAsked(bool logListening, int expectedLines)
    {
        var loggers = new RecordingLoggerFactory();
        var socketPath = Path.Combine(Path.GetTempPath(), $"ttrpc-log-{Guid.NewGuid():N}.sock");
        try
        {
            await using var server = new TtrpcServer(new TtrpcServerOptions { LogListening = logListening }, loggers);

            await server.StartAsync(TtrpcEndpoint.Unix(socketPath), TestContext.Current.CancellationToken);

            var listening = loggers.Lines.Where(l => l.Message.StartsWith("ttrpc server listening on unix://", StringComparison.Ordinal)).ToList();
            Assert.Equal(expectedLines, listening.Count);
            Assert.All(listening, l => Assert.Equal(TtrpcServer.LogCategory, l.Category));
        }
        finally
        {
            File.Delete(socketPath);
        }
    }

    [Fact]
    public async Task StopAsync_ListeningServerNamesItsEndpoint_ServerOfHandedOverConnectionsSaysNothing()
    {
        var loggers = new RecordingLoggerFactory();
        var socketPath = Path.Combine(Path.GetTempPath(), $"ttrpc-log-{Guid.NewGuid():N}.sock");
        try
        {
            await using var listening = new TtrpcServer(new TtrpcServerOptions(), loggers);
            await listening.StartAsync(TtrpcEndpoint.Unix(socketPath), TestContext.Current.CancellationToken);
            await using var handedOver = new TtrpcServer(new TtrpcServerOptions(), loggers);

            await listening.StopAsync(TestContext.Current.CancellationToken);
            await handedOver.StopAsync(TestContext.Current.CancellationToken);

            var stopping = Assert.Single(loggers.Lines, l => l.Message.Contains("stopping", StringComparison.Ordinal));
            Assert.Equal($"ttrpc server on unix://{socketPath} stopping; waiting for 0 call(s) in flight", stopping.Message);
        }
        finally
        {
            File.Delete(socketPath);
        }
    }

    private sealed class RecordingLoggerFactory : ILoggerFactory
    {
        public ConcurrentQueue<(string Category, string Message)> Lines { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Recorder(categoryName, Lines);

        public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException();

        public void Dispose()
        {
        }

        private sealed class Recorder(string category, ConcurrentQueue<(string Category, string Message)> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                lines.Enqueue((category, formatter(state, exception)));
        }
    }
}
