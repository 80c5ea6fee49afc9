using System.Buffers;
using System.Buffers.Binary;
using System.Text.Json;

namespace PodVm.Attester.Evidence;

/// <summary>
/// Trustee's SEV-SNP evidence: <c>{"attestation_report": &lt;virtee/sev serde form&gt;, "cert_chain": [{"cert_type","data"}] | null}</c>,
/// byte fields as arrays of integers. The KBS re-encodes the report to its binary layout to check the signature,
/// so every field the firmware signs is carried (reserved bytes are zero by the ABI).
/// </summary>
internal static class SnpEvidenceWriter
{
    public static byte[] Write(ReadOnlySpan<byte> report, IReadOnlyList<SnpCertificate>? certificates)
    {
        if (report.Length < SevGuestAbi.SnpReportSize)
        {
            throw new EvidenceException(EvidenceErrorReason.Malformed, $"an SEV-SNP report is {SevGuestAbi.SnpReportSize} bytes, got {report.Length}");
        }

        var r = report[..SevGuestAbi.SnpReportSize];
        var version = U32(r, 0x000);
        var turin = version >= 3 && r[0x188] == 0x1A;
        var buffer = new ArrayBufferWriter<byte>(16 * 1024);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WritePropertyName("attestation_report");
            w.WriteStartObject();
            w.WriteNumber("version", version);
            w.WriteNumber("guest_svn", U32(r, 0x004));
            w.WriteNumber("policy", U64(r, 0x008));
            Bytes(w, "family_id", r.Slice(0x010, 16));
            Bytes(w, "image_id", r.Slice(0x020, 16));
            w.WriteNumber("vmpl", U32(r, 0x030));
            w.WriteNumber("sig_algo", U32(r, 0x034));
            Tcb(w, "current_tcb", U64(r, 0x038), turin);
            w.WriteNumber("plat_info", U64(r, 0x040));
            w.WriteNumber("key_info", U32(r, 0x048));
            Bytes(w, "report_data", r.Slice(0x050, 64));
            Bytes(w, "measurement", r.Slice(0x090, 48));
            Bytes(w, "host_data", r.Slice(0x0C0, 32));
            Bytes(w, "id_key_digest", r.Slice(0x0E0, 48));
            Bytes(w, "author_key_digest", r.Slice(0x110, 48));
            Bytes(w, "report_id", r.Slice(0x140, 32));
            Bytes(w, "report_id_ma", r.Slice(0x160, 32));
            Tcb(w, "reported_tcb", U64(r, 0x180), turin);
            w.WriteNumber("cpuid_fam_id", r[0x188]);
            w.WriteNumber("cpuid_mod_id", r[0x189]);
            w.WriteNumber("cpuid_step", r[0x18A]);
            Bytes(w, "chip_id", r.Slice(0x1A0, 64));
            Tcb(w, "committed_tcb", U64(r, 0x1E0), turin);
            Version(w, "current", r.Slice(0x1E8, 3));
            Version(w, "committed", r.Slice(0x1EC, 3));
            Tcb(w, "launch_tcb", U64(r, 0x1F0), turin);
            if (version >= 5)
            {
                w.WriteNumber("launch_mit_vector", U64(r, 0x1F8));
                w.WriteNumber("current_mit_vector", U64(r, 0x200));
            }

            w.WritePropertyName("signature");
            w.WriteStartObject();
            Bytes(w, "r", r.Slice(0x2A0, 72));
            Bytes(w, "s", r.Slice(0x2E8, 72));
            w.WriteEndObject();
            w.WriteEndObject();

            w.WritePropertyName("cert_chain");
            if (certificates is null || certificates.Count == 0)
            {
                w.WriteNullValue();
            }
            else
            {
                w.WriteStartArray();
                foreach (var c in certificates)
                {
                    w.WriteStartObject();
                    if (c.Type.StartsWith("OTHER(", StringComparison.Ordinal) && c.Type.EndsWith(')'))
                    {
                        // virtee/sev CertType::OTHER(Uuid) is a serde newtype variant: {"OTHER":"<uuid>"}.
                        w.WritePropertyName("cert_type");
                        w.WriteStartObject();
                        w.WriteString("OTHER", c.Type["OTHER(".Length..^1]);
                        w.WriteEndObject();
                    }
                    else
                    {
                        w.WriteString("cert_type", c.Type);
                    }

                    Bytes(w, "data", c.Data);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
            }

            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static uint U32(ReadOnlySpan<byte> r, int offset) => BinaryPrimitives.ReadUInt32LittleEndian(r[offset..]);

    private static ulong U64(ReadOnlySpan<byte> r, int offset) => BinaryPrimitives.ReadUInt64LittleEndian(r[offset..]);

    private static void Bytes(Utf8JsonWriter w, string name, ReadOnlySpan<byte> bytes)
    {
        w.WritePropertyName(name);
        w.WriteStartArray();
        foreach (var b in bytes)
        {
            w.WriteNumberValue(b);
        }

        w.WriteEndArray();
    }

    /// <summary>TCB_VERSION: Milan/Genoa bytes 0 bootloader, 1 tee, 6 snp, 7 microcode; Turin 0 fmc, 1 bootloader, 2 tee, 3 snp, 7 microcode.</summary>
    private static void Tcb(Utf8JsonWriter w, string name, ulong raw, bool turin)
    {
        byte B(int i) => (byte)(raw >> (8 * i));
        w.WritePropertyName(name);
        w.WriteStartObject();
        if (turin)
        {
            w.WriteNumber("fmc", B(0));
            w.WriteNumber("bootloader", B(1));
            w.WriteNumber("tee", B(2));
            w.WriteNumber("snp", B(3));
        }
        else
        {
            w.WriteNull("fmc");
            w.WriteNumber("bootloader", B(0));
            w.WriteNumber("tee", B(1));
            w.WriteNumber("snp", B(6));
        }

        w.WriteNumber("microcode", B(7));
        w.WriteEndObject();
    }

    private static void Version(Utf8JsonWriter w, string name, ReadOnlySpan<byte> v)
    {
        w.WritePropertyName(name);
        w.WriteStartObject();
        w.WriteNumber("major", v[2]);
        w.WriteNumber("minor", v[1]);
        w.WriteNumber("build", v[0]);
        w.WriteEndObject();
    }
}
