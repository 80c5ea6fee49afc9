namespace PodVm.PodVmConfig;

/// <summary>
/// Initdata: the TOML document <c>{version, algorithm, [data]}</c> whose digest is bound into the VM's evidence.
/// The digest is over <see cref="RawToml"/> exactly as delivered (no canonicalisation), as Trustee and upstream do.
/// </summary>
/// <param name="Version">e.g. <c>0.1.0</c>.</param>
/// <param name="Algorithm">sha256, sha384 or sha512.</param>
/// <param name="Data">The <c>[data]</c> table: file name to text.</param>
/// <param name="RawToml">The exact TOML bytes.</param>
public sealed record InitData(string Version, string Algorithm, IReadOnlyDictionary<string, string> Data, ReadOnlyMemory<byte> RawToml)
{
    /// <summary>The digest of <see cref="RawToml"/> with <see cref="Algorithm"/>.</summary>
    public byte[] Digest() => InitDataCodec.ComputeDigest(RawToml.Span, Algorithm);

    /// <summary>The first 32 bytes of the digest: what is extended into vTPM PCR8 (and SNP HOST_DATA).</summary>
    public byte[] Digest32() => Digest().AsSpan(0, 32).ToArray();
}
