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

        sink.WriteLine(FormatLine(timeProvider.GetUtcNow(), logLevel, category, eventId.Id, message, exception));
    }

    /// <summary>One line: <c>HH:mm:ss.fff level: category[event] message exception</c>, line breaks flattened.</summary>
    internal static string FormatLine(DateTimeOffset now, LogLevel logLevel, string category, int eventId, string message, Exception? exception)
    {
        Span<char> time = stackalloc char[TimeLength];
        FormatTime(now.UtcDateTime.TimeOfDay, time);
        var line = new StringBuilder(category.Length + message.Length + 32)
            .Append(time)
            .Append(LevelName(logLevel))
            .Append(": ")
            .Append(category)
            .Append('[')
            .Append(eventId.ToString(CultureInfo.InvariantCulture))
            .Append("] ")
            .Append(message.ReplaceLineEndings(" "));
        if (exception is not null)
        {
            line.Append(' ').Append(exception.ToString().ReplaceLineEndings(" "));
        }

        return line.ToString();
    }

    private const int TimeLength = 13;

    /// <summary>
    /// <c>HH:mm:ss.fff </c>, digit by digit: a custom DateTime format first sets up the invariant culture's calendar
    /// and format data, start-up code that QEMU TCG translates before a pod VM is ready for one timestamp.
    /// </summary>
    internal static void FormatTime(TimeSpan timeOfDay, Span<char> text)
    {
        TwoDigits(timeOfDay.Hours, text);
        text[2] = ':';
        TwoDigits(timeOfDay.Minutes, text[3..]);
        text[5] = ':';
        TwoDigits(timeOfDay.Seconds, text[6..]);
        text[8] = '.';
        var milliseconds = timeOfDay.Milliseconds;
        text[9] = (char)('0' + (milliseconds / 100));
        TwoDigits(milliseconds % 100, text[10..]);
        text[12] = ' ';
    }

    private static void TwoDigits(int value, Span<char> text)
    {
        text[0] = (char)('0' + (value / 10));
        text[1] = (char)('0' + (value % 10));
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
