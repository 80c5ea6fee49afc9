using System.Diagnostics.CodeAnalysis;
using PodVm.Protocols.Ttrpc.Wire;

namespace PodVm.Protocols.Ttrpc;

/// <summary>
/// A request as it travels, payload undecoded: what a relay (forwarder, agent proxy) passes on unchanged. A request
/// a relay's <see cref="TtrpcServer"/> received also keeps the caller's encoded Request body, which
/// <see cref="TtrpcClient.RelayAsync"/> sends on byte for byte; a copy made with <c>with</c> drops it.
/// </summary>
public sealed record TtrpcRawRequest
{
    public TtrpcRawRequest()
    {
    }

    // The copy constructor `with` uses: the encoded body describes the original, not the modified copy.
    [SetsRequiredMembers]
    private TtrpcRawRequest(TtrpcRawRequest original)
    {
        Service = original.Service;
        Method = original.Method;
        Payload = original.Payload;
        TimeoutNano = original.TimeoutNano;
        Metadata = original.Metadata;
        Deadline = original.Deadline;
    }

    public required string Service { get; init; }

    public required string Method { get; init; }

    public ReadOnlyMemory<byte> Payload { get; init; }

    /// <summary>The caller's relative timeout in nanoseconds as sent; 0 = none.</summary>
    public long TimeoutNano { get; init; }

    public IReadOnlyList<KeyValue> Metadata { get; init; } = [];

    /// <summary>
    /// Cancelled when the caller's timeout (<see cref="TimeoutNano"/>) has run out, as the server that received the
    /// call measures it; <see cref="CancellationToken.None"/> for a call without one or made locally. A relay that
    /// gives up on the call at that moment answers DeadlineExceeded, as the callee itself would, not Cancelled.
    /// </summary>
    public CancellationToken Deadline { get; init; }

    /// <summary>The Request body exactly as the caller sent it (service, method, payload, timeout, metadata); empty when made locally.</summary>
    internal ReadOnlyMemory<byte> Encoded { get; init; }
}
