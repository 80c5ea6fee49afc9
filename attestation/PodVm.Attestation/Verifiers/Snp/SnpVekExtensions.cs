using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using PodVm.Attestation.Verifiers.Common;

namespace PodVm.Attestation.Verifiers.Snp;

/// <summary>
/// AMD's extensions in a VCEK or VLEK (OIDs under 1.3.6.1.4.1.3704.1): structure version, product name, the TCB
/// security patch levels the key was derived for, hwID (VCEK: the chip id, raw or as a DER OCTET STRING) and the
/// CSP id (VLEK).
/// </summary>
internal sealed record SnpVekExtensions(
    int? StructVersion,
    string? ProductName,
    int? BootloaderSpl,
    int? TeeSpl,
    int? SnpSpl,
    int? MicrocodeSpl,
    int? FmcSpl,
    byte[]? HardwareId,
    string? CspId)
{
    private const string Prefix = "1.3.6.1.4.1.3704.1.";

    public static SnpVekExtensions Parse(X509Certificate2 certificate)
    {
        int? structVersion = null, bl = null, tee = null, snp = null, ucode = null, fmc = null;
        string? product = null, csp = null;
        byte[]? hwid = null;
        foreach (var extension in certificate.Extensions)
        {
            var oid = extension.Oid?.Value;
            if (oid is null || !oid.StartsWith(Prefix, StringComparison.Ordinal))
            {
                continue;
            }

            var raw = extension.RawData;
            switch (oid[Prefix.Length..])
            {
                case "1": structVersion = Integer(raw, oid); break;
                case "2": product = Text(raw); break;
                case "3.1": bl = Integer(raw, oid); break;
                case "3.2": tee = Integer(raw, oid); break;
                case "3.3": snp = Integer(raw, oid); break;
                case "3.8": ucode = Integer(raw, oid); break;
                case "3.9": fmc = Integer(raw, oid); break;
                case "4": hwid = Octets(raw); break;
                case "5": csp = Text(raw); break;
                default: break;
            }
        }

        return new SnpVekExtensions(structVersion, product, bl, tee, snp, ucode, fmc, hwid, csp);
    }

    private static int Integer(byte[] raw, string oid)
    {
        try
        {
            var value = AsnDecoder.ReadInteger(raw, AsnEncodingRules.DER, out var consumed);
            if (consumed == raw.Length && value >= 0 && value <= 255)
            {
                return (int)value;
            }
        }
        catch (AsnContentException)
        {
        }

        throw VerificationException.Malformed($"certificate extension {oid} is not a small INTEGER");
    }

    // hwID: legacy certificates hold the raw bytes, newer ones a DER OCTET STRING around them (Trustee get_oid_octets).
    private static byte[] Octets(byte[] raw)
    {
        try
        {
            var value = AsnDecoder.ReadOctetString(raw, AsnEncodingRules.DER, out var consumed);
            if (consumed == raw.Length)
            {
                return value;
            }
        }
        catch (AsnContentException)
        {
        }

        return raw;
    }

    private static string Text(byte[] raw)
    {
        try
        {
            var reader = new AsnReader(raw, AsnEncodingRules.DER);
            var tag = reader.PeekTag();
            if (tag.TagClass == TagClass.Universal)
            {
                return reader.ReadCharacterString((UniversalTagNumber)tag.TagValue);
            }
        }
        catch (AsnContentException)
        {
        }
        catch (ArgumentException)
        {
        }

        return Encoding.ASCII.GetString(raw);
    }
}
