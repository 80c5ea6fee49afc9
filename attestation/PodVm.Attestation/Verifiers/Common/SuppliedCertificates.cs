using System.Security.Cryptography.X509Certificates;

namespace PodVm.Attestation.Verifiers.Common;

/// <summary>Decodes the certificates handed in beside the evidence (<see cref="Verification.EvidenceToVerify.Certificates"/>).</summary>
internal static class SuppliedCertificates
{
    public static IReadOnlyList<X509Certificate2> Decode(IReadOnlyList<ReadOnlyMemory<byte>> supplied)
    {
        if (supplied.Count == 0)
        {
            return [];
        }

        var result = new List<X509Certificate2>();
        foreach (var item in supplied)
        {
            result.AddRange(CertificateDecoder.DecodeAll(item.Span, "supplied certificate"));
        }

        return result;
    }
}
