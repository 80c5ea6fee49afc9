namespace PodVm.Attestation.Verifiers.LocalDev;

/// <summary>
/// The content of a local development TEE launch report (docs/attestation/local-dev-tee.md): what the local provider
/// vouches for about a pod VM it launched. It is signed by the platform key with <see cref="LocalDevTeeReportSigner"/>.
/// </summary>
public sealed record LocalDevTeeReport
{
    public const int MeasurementLength = 48;
    public const int HostDataLength = 32;
    public const int ReportDataLength = 64;
    public const int KeyIdLength = 32;

    /// <summary>The launch digest, <see cref="LocalDevTeeMeasurement.Compute(ReadOnlySpan{byte}, ReadOnlySpan{byte}, string)"/>: 48 bytes.</summary>
    public required ReadOnlyMemory<byte> Measurement { get; init; }

    /// <summary>Set by the host at launch: the initdata digest (SHA-384 truncated to 32 bytes, as SNP HOST_DATA).</summary>
    public required ReadOnlyMemory<byte> HostData { get; init; }

    /// <summary>Chosen by the guest when it asks for the report (the RCAR binding): 64 bytes.</summary>
    public required ReadOnlyMemory<byte> ReportData { get; init; }

    /// <summary>Optional SHA-256 of the DER SubjectPublicKeyInfo of a vTPM attestation key this VM owns, or empty.</summary>
    public ReadOnlyMemory<byte> TpmAkDigest { get; init; }

    /// <summary>When the report was signed (whole seconds are kept).</summary>
    public required DateTimeOffset Timestamp { get; init; }
}
