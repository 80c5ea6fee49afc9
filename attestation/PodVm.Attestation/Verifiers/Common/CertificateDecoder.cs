using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using PodVm.Attestation.Verification;

namespace PodVm.Attestation.Verifiers.Common;

/// <summary>Reads X.509 certificates given as DER, or as PEM text holding one or more CERTIFICATE blocks.</summary>
internal static class CertificateDecoder
{
    private const int MaxCertificateBytes = 64 * 1024;

    public static IReadOnlyList<X509Certificate2> DecodeAll(ReadOnlySpan<byte> data, string what)
    {
        if (LooksLikePem(data))
        {
            return DecodePem(Encoding.ASCII.GetString(data), what);
        }

        return [DecodeDer(data, what)];
    }

    public static X509Certificate2 DecodeOne(ReadOnlySpan<byte> data, string what)
    {
        var all = DecodeAll(data, what);
        if (all.Count != 1)
        {
            throw VerificationException.Malformed($"{what} holds {all.Count} certificates, expected one");
        }

        return all[0];
    }

    public static X509Certificate2 DecodeDer(ReadOnlySpan<byte> der, string what)
    {
        if (der.Length == 0 || der.Length > MaxCertificateBytes)
        {
            throw VerificationException.Malformed($"{what} is {der.Length} bytes, not a certificate");
        }

        try
        {
            return X509CertificateLoader.LoadCertificate(der);
        }
        catch (CryptographicException e)
        {
            throw new VerificationException(VerificationFailureReason.MalformedEvidence, $"{what} is not a DER certificate: {e.Message}");
        }
    }

    public static IReadOnlyList<X509Certificate2> DecodePem(string text, string what)
    {
        var result = new List<X509Certificate2>();
        var remaining = text.AsSpan();
        while (PemEncoding.TryFind(remaining, out var fields))
        {
            var label = remaining[fields.Label];
            if (label.SequenceEqual("CERTIFICATE"))
            {
                var der = Convert.FromBase64String(remaining[fields.Base64Data].ToString());
                result.Add(DecodeDer(der, what));
            }

            remaining = remaining[fields.Location.End..];
        }

        if (result.Count == 0)
        {
            throw VerificationException.Malformed($"{what} holds no PEM certificate");
        }

        return result;
    }

    public static bool LooksLikePem(ReadOnlySpan<byte> data)
    {
        var trimmed = data.TrimStart(" \t\r\n"u8);
        return trimmed.StartsWith("-----BEGIN"u8);
    }
}
