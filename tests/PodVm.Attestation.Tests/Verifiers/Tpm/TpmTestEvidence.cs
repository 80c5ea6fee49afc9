using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace PodVm.Attestation.Tests.Verifiers.Tpm;

/// <summary>Builds synthetic TPM quotes and event logs with keys made in the test (the encodings follow TPM 2.0 part 2 and the TCG PC Client spec).</summary>
internal static class TpmTestEvidence
{
    public static byte[][] Pcrs(Func<int, byte> fill) => [.. Enumerable.Range(0, 24).Select(i => Enumerable.Repeat(fill(i), 32).ToArray())];

    public static byte[] Attest(byte[] extraData, int[] selected, byte[][] pcrs, Func<byte[], byte[]> hash)
    {
        var body = new List<byte>();
        void U16(int v) { var b = new byte[2]; BinaryPrimitives.WriteUInt16BigEndian(b, (ushort)v); body.AddRange(b); }
        void U32(uint v) { var b = new byte[4]; BinaryPrimitives.WriteUInt32BigEndian(b, v); body.AddRange(b); }
        U32(0xFF544347);
        U16(0x8018);
        U16(4); body.AddRange(new byte[] { 0, 0x0B, 1, 2 });
        U16(extraData.Length); body.AddRange(extraData);
        body.AddRange(new byte[8 + 4 + 4 + 1 + 8]);
        U32(1);
        U16(0x000B);
        body.Add(3);
        var bitmap = new byte[3];
        foreach (var i in selected)
        {
            bitmap[i / 8] |= (byte)(1 << (i % 8));
        }

        body.AddRange(bitmap);
        var digest = hash([.. selected.SelectMany(i => pcrs[i])]);
        U16(digest.Length); body.AddRange(digest);
        return [.. body];
    }

    public static byte[] RsaSignature(RSA key, byte[] attest, bool pss)
    {
        var sig = key.SignData(attest, HashAlgorithmName.SHA256, pss ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1);
        return [.. U16((ushort)(pss ? 0x0016 : 0x0014)), .. U16(0x000B), .. U16((ushort)sig.Length), .. sig];
    }

    public static byte[] EcdsaSignature(ECDsa key, byte[] attest)
    {
        var sig = key.SignData(attest, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        var half = sig.Length / 2;
        return [.. U16(0x0018), .. U16(0x000B), .. U16((ushort)half), .. sig[..half], .. U16((ushort)half), .. sig[half..]];
    }

    public static byte[] Json(byte[] akSpki, byte[] attest, byte[] signature, byte[][] pcrs, byte[]? eventLog = null, byte[][]? akChain = null)
    {
        var json = new JsonObject
        {
            ["ak_public"] = Convert.ToBase64String(akSpki),
            ["tpm_quote"] = new JsonObject
            {
                ["message"] = Convert.ToBase64String(attest),
                ["signature"] = Convert.ToBase64String(signature),
                ["pcrs"] = new JsonArray([.. pcrs.Select(p => (JsonNode)Convert.ToHexStringLower(p))]),
            },
        };
        if (eventLog is not null)
        {
            json["event_log"] = Convert.ToBase64String(eventLog);
        }

        if (akChain is not null)
        {
            json["ak_cert_chain"] = new JsonArray([.. akChain.Select(c => (JsonNode)Convert.ToBase64String(c))]);
        }

        return System.Text.Encoding.UTF8.GetBytes(json.ToJsonString());
    }

    /// <summary>A crypto-agile SHA-256 log: the Spec ID event, then one event per (pcr, data), measured as SHA-256(data).</summary>
    public static byte[] EventLog(params (int Pcr, byte[] Data)[] events)
    {
        var log = new List<byte>();
        void L32(uint v) { var b = new byte[4]; BinaryPrimitives.WriteUInt32LittleEndian(b, v); log.AddRange(b); }
        void L16(ushort v) { var b = new byte[2]; BinaryPrimitives.WriteUInt16LittleEndian(b, v); log.AddRange(b); }
        var spec = new List<byte>();
        spec.AddRange("Spec ID Event03\0"u8.ToArray());
        spec.AddRange(new byte[] { 0, 0, 0, 0, 0, 2, 0, 2 }); // platformClass, minor 0, major 2, errata 0, uintnSize 2
        spec.AddRange(new byte[] { 1, 0, 0, 0, 0x0B, 0, 32, 0 }); // 1 algorithm: SHA-256, 32 bytes
        spec.Add(0); // vendorInfoSize
        L32(0); L32(3); log.AddRange(new byte[20]); L32((uint)spec.Count); log.AddRange(spec);
        foreach (var (pcr, data) in events)
        {
            L32((uint)pcr); L32(0x0D); L32(1); L16(0x000B); log.AddRange(SHA256.HashData(data)); L32((uint)data.Length); log.AddRange(data);
        }

        return [.. log];
    }

    public static byte[] Replay(params byte[][] data)
    {
        var pcr = new byte[32];
        foreach (var d in data)
        {
            pcr = SHA256.HashData([.. pcr, .. SHA256.HashData(d)]);
        }

        return pcr;
    }

    private static byte[] U16(ushort v)
    {
        var b = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(b, v);
        return b;
    }
}
