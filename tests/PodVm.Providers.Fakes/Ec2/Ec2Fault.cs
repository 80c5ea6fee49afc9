namespace PodVm.Providers.Fakes.Ec2;

/// <summary>
/// A scripted misbehaviour for one EC2 request: an error answer (code + HTTP status, as EC2 sends them), or a slow
/// answer. With <see cref="ProcessFirst"/> the request takes effect before the delay, like a response lost on the way
/// back: the client times out although EC2 did the work.
/// </summary>
public sealed record Ec2Fault
{
    public int StatusCode { get; init; } = 200;

    public string? ErrorCode { get; init; }

    public TimeSpan Delay { get; init; }

    public bool ProcessFirst { get; init; }

    public static Ec2Fault Error(int statusCode, string errorCode) => new() { StatusCode = statusCode, ErrorCode = errorCode };

    public static Ec2Fault Throttle() => Error(503, "RequestLimitExceeded");

    public static Ec2Fault ServerError() => Error(500, "InternalError");

    public static Ec2Fault Unavailable() => Error(503, "Unavailable");

    /// <summary>Does the work, then answers after <paramref name="delay"/> (the client may have given up by then).</summary>
    public static Ec2Fault SlowAfterWork(TimeSpan delay) => new() { Delay = delay, ProcessFirst = true };

    /// <summary>Waits <paramref name="delay"/> before doing anything.</summary>
    public static Ec2Fault SlowBeforeWork(TimeSpan delay) => new() { Delay = delay };
}
