using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using PodVm.Attestation.Verifiers.Common;
using PodVm.Attestation.Verifiers.Snp;

namespace PodVm.Attestation.Verifiers.Tdx;

/// <summary>The Intel SGX Root CA, embedded and pinned by the SHA-256 of its DER (44a0196b…74d3).</summary>
internal static class IntelRootCertificate
{
    private const string Pin = "44a0196b2b99f889b8e149e95b807a350e7424964399e885a7cbb8ccfab674d3";
    private static readonly Lazy<X509Certificate2> Root = new(Load);

    public static X509Certificate2 Certificate => Root.Value;

    private static X509Certificate2 Load()
    {
        var root = CertificateDecoder.DecodePem(AmdRootCertificates.ReadResource("intel-sgx-root-ca.pem"), "embedded Intel SGX Root CA")[0];
        if (!string.Equals(Convert.ToHexStringLower(SHA256.HashData(root.RawData)), Pin, StringComparison.Ordinal) || !X509SignatureVerifier.IsSignedBy(root, root))
        {
            throw new InvalidOperationException("the embedded Intel SGX Root CA does not verify");
        }

        return root;
    }
}
