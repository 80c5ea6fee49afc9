using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using PodVm.Attestation.Verification;
using PodVm.Attestation.Verifiers.Common;

namespace PodVm.Attestation.Verifiers.Tdx;

/// <summary>
/// Intel PCS JSON collateral, <c>{"tcbInfo"|"enclaveIdentity": {…}, "signature": "&lt;hex r‖s&gt;"}</c>: the ECDSA P-256
/// signature is over the exact bytes of the body value as served (cut from the document, never re-serialized).
/// </summary>
internal sealed class SignedCollateral : IDisposable
{
    private readonly JsonDocument _document;

    private SignedCollateral(JsonDocument document, JsonElement body, byte[] signedBytes, byte[] signature)
    {
        _document = document;
        Body = body;
        SignedBytes = signedBytes;
        Signature = signature;
    }

    public JsonElement Body { get; }

    public byte[] SignedBytes { get; }

    public byte[] Signature { get; }

    public DateTimeOffset IssueDate => Date("issueDate");

    public DateTimeOffset NextUpdate => Date("nextUpdate");

    public static SignedCollateral Parse(ReadOnlyMemory<byte> json, string bodyName)
    {
        var document = JsonEvidence.Parse(json, bodyName);
        try
        {
            var body = JsonEvidence.Property(document.RootElement, bodyName, bodyName);
            var signature = JsonEvidence.HexString(JsonEvidence.Property(document.RootElement, "signature", bodyName), $"{bodyName} signature");
            if (signature.Length != 64)
            {
                throw VerificationException.Malformed($"the {bodyName} signature is {signature.Length} bytes, not 64");
            }

            return new SignedCollateral(document, body, Encoding.UTF8.GetBytes(body.GetRawText()), signature);
        }
        catch
        {
            document.Dispose();
            throw;
        }
    }

    /// <summary>Checks the signature with the TCB signing certificate and the validity window at <paramref name="at"/>.</summary>
    public void RequireValid(X509Certificate2 signingCertificate, DateTimeOffset at, string what)
    {
        using var key = signingCertificate.GetECDsaPublicKey()
            ?? throw new VerificationException(VerificationFailureReason.CertificateChainInvalid, "the TCB signing certificate has no EC key");
        if (!key.VerifyData(SignedBytes, Signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation))
        {
            throw new VerificationException(VerificationFailureReason.SignatureInvalid, $"the {what} signature does not verify with the TCB signing certificate");
        }

        RequireCurrent(at, what);
    }

    /// <summary>Checks the signature with an already imported TCB signing key.</summary>
    public void RequireSignedBy(EcdsaVerificationKey key, string what)
    {
        if (!key.VerifyData(SignedBytes, Signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation))
        {
            throw new VerificationException(VerificationFailureReason.SignatureInvalid, $"the {what} signature does not verify with the TCB signing certificate");
        }
    }

    /// <summary>Requires <paramref name="at"/> to fall within issueDate..nextUpdate.</summary>
    public void RequireCurrent(DateTimeOffset at, string what)
    {
        if (at < IssueDate || at > NextUpdate)
        {
            throw new VerificationException(VerificationFailureReason.CertificateExpired, $"the {what} is valid {IssueDate:O} to {NextUpdate:O}, not at {at:O}");
        }
    }

    public void Dispose() => _document.Dispose();

    private DateTimeOffset Date(string name) =>
        DateTimeOffset.Parse(JsonEvidence.String(JsonEvidence.Property(Body, name, "collateral"), name), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
}
