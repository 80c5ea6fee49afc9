using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace PodVm.Kubernetes.Tests.Hosting;

/// <summary>Keeps every log entry of a host (event id, level, message) for assertions.</summary>
internal sealed class LogCollector : ILoggerProvider
{
    public ConcurrentQueue<(int EventId, LogLevel Level, string Category, string Message)> Entries { get; } = new();

    public bool Has(int eventId) => Entries.Any(e => e.EventId == eventId);

    public string Dump() => string.Join('\n', Entries.Select(e => $"{e.Level} {e.EventId} {e.Category}: {e.Message}"));

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(LogCollector owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                owner.Entries.Enqueue((eventId.Id, logLevel, category, formatter(state, exception) + (exception is null ? "" : " | " + exception.Message)));
            }
        }
    }
}
