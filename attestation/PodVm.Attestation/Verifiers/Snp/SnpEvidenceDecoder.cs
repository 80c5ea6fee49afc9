using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using PodVm.Attestation.Verification;
using PodVm.Attestation.Verifiers.Common;

namespace PodVm.Attestation.Verifiers.Snp;

/// <summary>
/// Accepts SEV-SNP evidence in the encodings seen in practice: the 1184-byte binary report, the same as hex text, and
/// Trustee's <c>SnpEvidence</c> JSON (virtee/sev serde form of the report plus a <c>cert_chain</c>), which it
/// re-encodes to the binary layout so that the signature is checked over exactly the bytes the firmware signed.
/// </summary>
internal static class SnpEvidenceDecoder
{
    /// <param name="evidence">The evidence bytes.</param>
    /// <param name="parsed">
    /// The same evidence already parsed by the caller, or null. Used for the JSON encoding instead of parsing the bytes
    /// again when the bytes stay within the nesting depth the parse would allow (<see cref="JsonEvidence.MaxDepth"/>).
    /// </param>
    public static SnpEvidenceInput Decode(ReadOnlyMemory<byte> evidence, ParsedJsonEvidence? parsed = null)
    {
        var span = evidence.Span;
        if (span.Length == SnpReport.Size)
        {
            return new SnpEvidenceInput(span.ToArray(), []);
        }

        if (JsonEvidence.LooksLikeJson(span))
        {
            // The parsed document's own depth bounds the evidence's; only a deeper document needs the evidence scanned.
            return parsed is { } p && (p.Document.MaxDepth <= JsonEvidence.MaxDepth || JsonEvidence.WithinMaxDepth(span))
                ? DecodeTrusteeJson(p.Document, p.Element)
                : DecodeTrusteeJson(evidence);
        }

        var text = Encoding.ASCII.GetString(span).Trim();
        if (text.Length > 0 && Hex.TryParse(text, out var bytes))
        {
            return new SnpEvidenceInput(bytes, []);
        }

        throw VerificationException.Malformed($"SEV-SNP evidence of {span.Length} bytes is neither a {SnpReport.Size}-byte report, hex text nor Trustee JSON");
    }

    private static SnpEvidenceInput DecodeTrusteeJson(ReadOnlyMemory<byte> json)
    {
        using var document = JsonEvidence.ParseMasked(json, "SEV-SNP evidence");
        return DecodeTrusteeJson(document, document.RootElement);
    }

    /// <param name="document">The parsed JSON (byte arrays read through it: they may be masked).</param>
    /// <param name="root">The SnpEvidence object in it.</param>
    private static SnpEvidenceInput DecodeTrusteeJson(MaskedJsonDocument document, JsonElement root)
    {
        var report = JsonEvidence.Property(root, "attestation_report", "SEV-SNP evidence");
        var certificates = new List<ReadOnlyMemory<byte>>();
        if (JsonEvidence.OptionalProperty(root, "cert_chain") is { ValueKind: JsonValueKind.Array } chain)
        {
            foreach (var entry in chain.EnumerateArray())
            {
                certificates.Add(JsonEvidence.ByteArray(document, JsonEvidence.Property(entry, "data", "cert_chain entry"), "cert_chain data"));
            }
        }

        return new SnpEvidenceInput(Encode(document, report), certificates);
    }

    /// <summary>Re-encodes virtee/sev's serde form of an ATTESTATION_REPORT into its 1184-byte binary layout.</summary>
    private static byte[] Encode(MaskedJsonDocument document, JsonElement r)
    {
        var raw = new byte[SnpReport.Size];
        var span = raw.AsSpan();
        const string W = "attestation_report";
        BinaryPrimitives.WriteUInt32LittleEndian(span[0x000..], (uint)JsonEvidence.UInt64(JsonEvidence.Property(r, "version", W), "version"));
        BinaryPrimitives.WriteUInt32LittleEndian(span[0x004..], (uint)JsonEvidence.UInt64(JsonEvidence.Property(r, "guest_svn", W), "guest_svn"));
        BinaryPrimitives.WriteUInt64LittleEndian(span[0x008..], JsonEvidence.UInt64(JsonEvidence.Property(r, "policy", W), "policy"));
        Bytes(document, r, "family_id", 16).CopyTo(span[0x010..]);
        Bytes(document, r, "image_id", 16).CopyTo(span[0x020..]);
        BinaryPrimitives.WriteUInt32LittleEndian(span[0x030..], (uint)JsonEvidence.UInt64(JsonEvidence.Property(r, "vmpl", W), "vmpl"));
        BinaryPrimitives.WriteUInt32LittleEndian(span[0x034..], (uint)JsonEvidence.UInt64(JsonEvidence.Property(r, "sig_algo", W), "sig_algo"));
        BinaryPrimitives.WriteUInt64LittleEndian(span[0x038..], Tcb(r, "current_tcb"));
        BinaryPrimitives.WriteUInt64LittleEndian(span[0x040..], JsonEvidence.UInt64(JsonEvidence.Property(r, "plat_info", W), "plat_info"));
        BinaryPrimitives.WriteUInt32LittleEndian(span[0x048..], (uint)JsonEvidence.UInt64(JsonEvidence.Property(r, "key_info", W), "key_info"));
        Bytes(document, r, "report_data", 64).CopyTo(span[0x050..]);
        Bytes(document, r, "measurement", 48).CopyTo(span[0x090..]);
        Bytes(document, r, "host_data", 32).CopyTo(span[0x0C0..]);
        Bytes(document, r, "id_key_digest", 48).CopyTo(span[0x0E0..]);
        Bytes(document, r, "author_key_digest", 48).CopyTo(span[0x110..]);
        Bytes(document, r, "report_id", 32).CopyTo(span[0x140..]);
        Bytes(document, r, "report_id_ma", 32).CopyTo(span[0x160..]);
        BinaryPrimitives.WriteUInt64LittleEndian(span[0x180..], Tcb(r, "reported_tcb"));
        span[0x188] = OptionalByte(r, "cpuid_fam_id");
        span[0x189] = OptionalByte(r, "cpuid_mod_id");
        span[0x18A] = OptionalByte(r, "cpuid_step");
        Bytes(document, r, "chip_id", 64).CopyTo(span[0x1A0..]);
        BinaryPrimitives.WriteUInt64LittleEndian(span[0x1E0..], Tcb(r, "committed_tcb"));
        Version(r, "current").CopyTo(span[0x1E8..]);
        Version(r, "committed").CopyTo(span[0x1EC..]);
        BinaryPrimitives.WriteUInt64LittleEndian(span[0x1F0..], Tcb(r, "launch_tcb"));
        if (JsonEvidence.OptionalProperty(r, "launch_mit_vector") is { } launchMit)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(span[0x1F8..], JsonEvidence.UInt64(launchMit, "launch_mit_vector"));
        }

        if (JsonEvidence.OptionalProperty(r, "current_mit_vector") is { } currentMit)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(span[0x200..], JsonEvidence.UInt64(currentMit, "current_mit_vector"));
        }

        var signature = JsonEvidence.Property(r, "signature", W);
        JsonEvidence.ByteArray(document, JsonEvidence.Property(signature, "r", "signature"), "signature.r", 72).CopyTo(span[0x2A0..]);
        JsonEvidence.ByteArray(document, JsonEvidence.Property(signature, "s", "signature"), "signature.s", 72).CopyTo(span[0x2E8..]);
        return raw;
    }

    private static byte[] Bytes(MaskedJsonDocument document, JsonElement r, string name, int length) =>
        JsonEvidence.ByteArray(document, JsonEvidence.Property(r, name, "attestation_report"), name, length);

    private static byte OptionalByte(JsonElement r, string name) =>
        JsonEvidence.OptionalProperty(r, name) is { } v ? checked((byte)JsonEvidence.UInt64(v, name)) : (byte)0;

    private static ulong Tcb(JsonElement r, string name)
    {
        var tcb = JsonEvidence.Property(r, name, "attestation_report");
        byte Field(string field) => checked((byte)JsonEvidence.UInt64(JsonEvidence.Property(tcb, field, name), $"{name}.{field}"));
        var fmc = JsonEvidence.OptionalProperty(tcb, "fmc");
        var value = new SnpTcb(fmc is { } f ? checked((byte)JsonEvidence.UInt64(f, "fmc")) : null, Field("bootloader"), Field("tee"), Field("snp"), Field("microcode"));
        return value.ToRaw(fmc is null ? SnpProcessorGeneration.Milan : SnpProcessorGeneration.Turin);
    }

    private static byte[] Version(JsonElement r, string name)
    {
        if (JsonEvidence.OptionalProperty(r, name) is not { } v)
        {
            return [0, 0, 0];
        }

        byte Field(string field) => checked((byte)JsonEvidence.UInt64(JsonEvidence.Property(v, field, name), $"{name}.{field}"));
        return [Field("build"), Field("minor"), Field("major")];
    }
}
