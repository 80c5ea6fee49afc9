namespace PodVm.Providers.Fakes.Arm;

/// <summary>
/// A scripted misbehaviour for one ARM request: an error answer (status + ARM error code, with Retry-After for 429),
/// or a delay before the answer. With <see cref="ProcessFirst"/> the request takes effect before the delay, like an
/// answer lost on the way back: the client times out although ARM did the work.
/// </summary>
public sealed record ArmFault
{
    public int StatusCode { get; init; } = 200;

    public string? ErrorCode { get; init; }

    public int? RetryAfterSeconds { get; init; }

    public TimeSpan Delay { get; init; }

    public bool ProcessFirst { get; init; }

    public static ArmFault Throttle(int retryAfterSeconds = 1) =>
        new() { StatusCode = 429, ErrorCode = "TooManyRequests", RetryAfterSeconds = retryAfterSeconds };

    public static ArmFault ServerError(int statusCode = 503) => new() { StatusCode = statusCode, ErrorCode = "ServiceUnavailable" };

    public static ArmFault Error(int statusCode, string code) => new() { StatusCode = statusCode, ErrorCode = code };

    /// <summary>Waits <paramref name="delay"/> before doing anything.</summary>
    public static ArmFault Slow(TimeSpan delay) => new() { Delay = delay };

    /// <summary>Does the work, then answers after <paramref name="delay"/> (the client may have given up by then).</summary>
    public static ArmFault SlowAfterWork(TimeSpan delay) => new() { Delay = delay, ProcessFirst = true };
}
