namespace PodVm.Attestation.ReferenceValues;

/// <summary>A CBOR tagged item in a <see cref="CborTree"/>.</summary>
public sealed record CborTagged(ulong Tag, object? Value);
