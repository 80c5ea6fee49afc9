using PodVm.Protocols.Ttrpc.Wire;

namespace PodVm.Protocols.Ttrpc;

/// <summary>Per-call settings: a deadline (sent as timeout_nano and enforced locally) and metadata.</summary>
public sealed record TtrpcCallOptions
{
    public static readonly TtrpcCallOptions Default = new();

    /// <summary>Relative timeout; null = no deadline (as the Kata shim sends for WaitProcess).</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>
    /// A timeout to send as-is in timeout_nano without enforcing it locally; used by relays that pass on the
    /// original caller's deadline. Ignored when <see cref="Timeout"/> is set.
    /// </summary>
    public long ForwardedTimeoutNano { get; init; }

    public IReadOnlyList<KeyValue> Metadata { get; init; } = [];
}
