using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;

namespace PodVm.GuestHosting;

/// <summary>
/// One category's logger. The line format is the one Microsoft.Extensions.Logging's simple console formatter writes
/// in single-line mode without colours (<c>HH:mm:ss.fff info: Category[EventId] message</c>), with UTC timestamps:
/// the guest has no time zone, and the host's logs are read beside it.
/// </summary>
internal sealed class GuestConsoleLogger(string category, LogLevel minimumLevel, GuestConsoleSink sink, TimeProvider timeProvider) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None && logLevel >= minimumLevel;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        if (!IsEnabled(logLevel))
        {
            return;
        }

        var message = formatter(state, exception);
        if (string.IsNullOrEmpty(message) && exception is null)
        {
            return;
        }

        var line = new StringBuilder(category.Length + message.Length + 32)
            .Append(timeProvider.GetUtcNow().ToString("HH:mm:ss.fff ", CultureInfo.InvariantCulture))
            .Append(LevelName(logLevel))
            .Append(": ")
            .Append(category)
            .Append('[')
            .Append(eventId.Id.ToString(CultureInfo.InvariantCulture))
            .Append("] ")
            .Append(message.ReplaceLineEndings(" "));
        if (exception is not null)
        {
            line.Append(' ').Append(exception.ToString().ReplaceLineEndings(" "));
        }

        sink.WriteLine(line.ToString());
    }

    internal static string LevelName(LogLevel level) => level switch
    {
        LogLevel.Trace => "trce",
        LogLevel.Debug => "dbug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "fail",
        LogLevel.Critical => "crit",
        _ => level.ToString(),
    };
}
