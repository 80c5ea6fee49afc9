using System.Security.Cryptography.X509Certificates;
using PodVm.Attestation.Verification;

namespace PodVm.Attestation.Verifiers.Common;

/// <summary>Checks a certificate's validity window against the verification time (never the machine clock directly).</summary>
internal static class CertificateValidity
{
    public static void Require(X509Certificate2 certificate, DateTimeOffset at, string role)
    {
        var notBefore = new DateTimeOffset(certificate.NotBefore.ToUniversalTime(), TimeSpan.Zero);
        var notAfter = new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero);
        if (at < notBefore || at > notAfter)
        {
            throw new VerificationException(
                VerificationFailureReason.CertificateExpired,
                $"{role} certificate '{certificate.Subject}' is valid {notBefore:O} to {notAfter:O}, not at {at:O}");
        }
    }
}
