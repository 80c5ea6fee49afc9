using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace PodVm.Attester.Kbs;

/// <summary>
/// Trust for a https KBS whose certificate initdata names (<c>kbs_cert</c>): the server's chain must build to
/// exactly those certificates (the KBS's own self-signed certificate, or the CA that issued it), and the host name
/// must match. The system roots play no part.
/// </summary>
internal sealed class KbsCertificateValidator
{
    private readonly X509Certificate2Collection _trusted;

    public KbsCertificateValidator(string pem)
    {
        _trusted = [];
        _trusted.ImportFromPem(pem);
    }

    public int TrustedCount => _trusted.Count;

    public bool Validate(X509Certificate? certificate, SslPolicyErrors errors)
    {
        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable) || errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            return false;
        }

        using var leaf = new X509Certificate2(certificate);
        foreach (var trusted in _trusted)
        {
            if (trusted.RawDataMemory.Span.SequenceEqual(leaf.RawDataMemory.Span))
            {
                return IsTimeValid(leaf);
            }
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_trusted);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ExtraStore.AddRange(_trusted);
        try
        {
            return chain.Build(leaf);
        }
        finally
        {
            foreach (var element in chain.ChainElements)
            {
                if (!ReferenceEquals(element.Certificate, leaf))
                {
                    element.Certificate.Dispose();
                }
            }
        }
    }

    private static bool IsTimeValid(X509Certificate2 certificate)
    {
        var now = DateTime.UtcNow;
        return now >= certificate.NotBefore.ToUniversalTime() && now <= certificate.NotAfter.ToUniversalTime();
    }
}
