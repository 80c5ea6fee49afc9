using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace PodVm.GuestHosting;

/// <summary>
/// The guest programs' <see cref="ILoggerFactory"/>: every logger writes single lines to one console sink, at or
/// above one minimum level. No providers, filters or scopes: a guest program has exactly one destination.
/// </summary>
public sealed class GuestConsoleLoggerFactory : ILoggerFactory
{
    /// <summary>Environment variable with the minimum level (Trace, Debug, Information, Warning, Error, Critical).</summary>
    public const string LevelVariable = "PODVM_LOG_LEVEL";

    private readonly ConcurrentDictionary<string, GuestConsoleLogger> _loggers = new(StringComparer.Ordinal);
    private readonly LogLevel _minimumLevel;
    private readonly GuestConsoleSink _sink;
    private readonly TimeProvider _timeProvider;

    /// <summary>A factory writing to <paramref name="sink"/>.</summary>
    public GuestConsoleLoggerFactory(GuestConsoleSink sink, LogLevel minimumLevel, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(sink);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _sink = sink;
        _minimumLevel = minimumLevel;
        _timeProvider = timeProvider;
    }

    /// <summary>
    /// The factory a guest program starts with: standard output (where the simple console logger it replaces wrote;
    /// /init sends both streams to the console), the level from <see cref="LevelVariable"/> (else Information). An
    /// unknown level is reported and Information is used: a typo in a debugging switch must not stop a pod VM from
    /// booting.
    /// </summary>
    public static GuestConsoleLoggerFactory ForStandardOutput(string program)
    {
        var sink = GuestConsoleSink.ForStandardOutput();
        var level = LogLevel.Information;
        if (Environment.GetEnvironmentVariable(LevelVariable) is { Length: > 0 } text
            && (!Enum.TryParse(text, ignoreCase: true, out level) || !Enum.IsDefined(level)))
        {
            level = LogLevel.Information;
            sink.WriteLine($"{program}: {LevelVariable}='{text}' is not a log level (Trace, Debug, Information, Warning, Error, Critical, None); using Information");
        }

        return new GuestConsoleLoggerFactory(sink, level, TimeProvider.System);
    }

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) =>
        _loggers.GetOrAdd(categoryName, static (name, self) => new GuestConsoleLogger(name, self._minimumLevel, self._sink, self._timeProvider), this);

    /// <summary>
    /// Writes one line exactly as a logger of <paramref name="category"/> would (same level filter, same format), but
    /// not through <see cref="ILogger"/>: <c>ILogger.Log&lt;TState&gt;</c> is a generic virtual method, and NativeAOT
    /// resolves the first such call in a process with its run-time type loader. Under QEMU TCG that is ~2,000 blocks
    /// of code to translate and a type-loader set-up in every guest program, all before the pod VM is ready. The
    /// guest programs write the lines they log before they report ready through this; later lines use ILogger.
    /// </summary>
    public void WriteLine(LogLevel level, string category, int eventId, string message)
    {
        ArgumentNullException.ThrowIfNull(category);
        ArgumentNullException.ThrowIfNull(message);
        if (level != LogLevel.None && level >= _minimumLevel)
        {
            _sink.WriteLine(GuestConsoleLogger.FormatLine(_timeProvider.GetUtcNow(), level, category, eventId, message, exception: null));
        }
    }

    /// <summary>Not supported: a guest program has one destination, the console.</summary>
    public void AddProvider(ILoggerProvider provider) =>
        throw new NotSupportedException("The guest console logger factory writes to the console only.");

    /// <inheritdoc />
    public void Dispose()
    {
        // Lines are written synchronously; nothing is buffered.
    }
}
