using PodVm.Protocols.Ttrpc.Wire;

namespace PodVm.Protocols.Ttrpc;

/// <summary>A request as it travels, payload undecoded: what a relay (forwarder, agent proxy) passes on unchanged.</summary>
public sealed record TtrpcRawRequest
{
    public required string Service { get; init; }

    public required string Method { get; init; }

    public ReadOnlyMemory<byte> Payload { get; init; }

    /// <summary>The caller's relative timeout in nanoseconds as sent; 0 = none.</summary>
    public long TimeoutNano { get; init; }

    public IReadOnlyList<KeyValue> Metadata { get; init; } = [];
}
