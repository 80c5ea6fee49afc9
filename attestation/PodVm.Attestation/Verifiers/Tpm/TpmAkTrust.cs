using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using PodVm.Attestation.Verification;
using PodVm.Attestation.Verifiers.Common;

namespace PodVm.Attestation.Verifiers.Tpm;

/// <summary>Decides whether an AK is trusted: a configured key, or a certificate chain (leaf = the AK) to a configured root.</summary>
internal sealed class TpmAkTrust
{
    private const int MaxChainLength = 6;
    private readonly HashSet<string> _keys = new(StringComparer.Ordinal);
    private readonly List<X509Certificate2> _roots = [];

    public TpmAkTrust(TpmVerifierOptions options)
    {
        foreach (var key in options.TrustedAkPublicKeys)
        {
            _keys.Add(Hex.Of(SHA256.HashData(ToSubjectPublicKeyInfo(key.Span))));
        }

        foreach (var root in options.TrustedAkRoots)
        {
            _roots.AddRange(CertificateDecoder.DecodeAll(root.Span, "trusted AK root"));
        }
    }

    public bool IsConfigured => _keys.Count > 0 || _roots.Count > 0;

    /// <summary>True when trusted, false when no trust is configured; throws AttestationKeyUntrusted otherwise.</summary>
    public bool Check(ReadOnlySpan<byte> akSpki, IReadOnlyList<X509Certificate2> chain, DateTimeOffset at)
    {
        if (!IsConfigured)
        {
            return false;
        }

        if (_keys.Contains(Hex.Of(SHA256.HashData(akSpki))))
        {
            return true;
        }

        if (chain.Count == 0 || _roots.Count == 0)
        {
            throw new VerificationException(VerificationFailureReason.AttestationKeyUntrusted, "the AK is not a trusted key and comes without a certificate chain to a trusted root");
        }

        var leaf = chain[0];
        if (!leaf.PublicKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(akSpki))
        {
            throw new VerificationException(VerificationFailureReason.AttestationKeyUntrusted, "the AK certificate is for another key");
        }

        var current = leaf;
        for (var depth = 0; depth < MaxChainLength; depth++)
        {
            CertificateValidity.Require(current, at, depth == 0 ? "AK" : "AK issuer");
            var root = _roots.FirstOrDefault(r => r.SubjectName.RawData.AsSpan().SequenceEqual(current.IssuerName.RawData) && X509SignatureVerifier.IsSignedBy(current, r));
            if (root is not null)
            {
                CertificateValidity.Require(root, at, "AK root");
                return true;
            }

            var issuer = chain.Skip(1).FirstOrDefault(c => c.SubjectName.RawData.AsSpan().SequenceEqual(current.IssuerName.RawData));
            if (issuer is null || !X509SignatureVerifier.IsSignedBy(current, issuer))
            {
                break;
            }

            current = issuer;
        }

        throw new VerificationException(VerificationFailureReason.CertificateChainInvalid, "the AK certificate chain does not lead to a trusted root");
    }

    private static byte[] ToSubjectPublicKeyInfo(ReadOnlySpan<byte> key)
    {
        if (!CertificateDecoder.LooksLikePem(key))
        {
            return key.ToArray();
        }

        var text = Encoding.ASCII.GetString(key);
        var fields = PemEncoding.Find(text);
        return Convert.FromBase64String(text[fields.Base64Data]);
    }
}
