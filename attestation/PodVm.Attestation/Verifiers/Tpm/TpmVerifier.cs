using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using PodVm.Attestation.Verification;
using PodVm.Attestation.Verifiers.Common;

namespace PodVm.Attestation.Verifiers.Tpm;

/// <summary>
/// Trustee's generic <c>tpm</c> evidence: <c>{"ak_public": b64 SPKI, "tpm_quote": {"message": b64 TPMS_ATTEST,
/// "signature": b64 TPMT_SIGNATURE, "pcrs": [hex SHA-256 × 24]}}</c>, plus two optional PodVm members:
/// <c>"ak_cert_chain": [b64 DER, …]</c> (leaf first) and <c>"event_log": b64</c> (a TCG crypto-agile log, replayed and
/// compared with the quoted PCRs it touches). extraData must equal the expected report data regularized to its length
/// (Trustee truncates the SHA-384 binding to 32 bytes; some attesters zero-pad it to 64).
/// </summary>
internal sealed class TpmVerifier : IEvidenceVerifier
{
    private readonly TpmAkTrust _trust;
    private readonly TimeProvider _time;

    public TpmVerifier(TpmVerifierOptions options, TimeProvider time)
    {
        _trust = new TpmAkTrust(options);
        _time = time;
    }

    public TeeType Tee => TeeType.Tpm;

    public ValueTask<VerificationResult> VerifyAsync(EvidenceToVerify evidence, CancellationToken cancellationToken) =>
        ValueTask.FromResult(VerifierGuard.Run(Tee, evidence, () => Verify(evidence)));

    private VerificationResult Verify(EvidenceToVerify evidence)
    {
        using var document = JsonEvidence.Parse(evidence.Evidence, "TPM evidence");
        var root = document.RootElement;
        var akSpki = JsonEvidence.Base64(JsonEvidence.Property(root, "ak_public", "TPM evidence"), "ak_public");
        var quote = JsonEvidence.Property(root, "tpm_quote", "TPM evidence");
        var message = JsonEvidence.Base64(JsonEvidence.Property(quote, "message", "tpm_quote"), "tpm_quote.message");
        var signature = TpmSignature.Parse(JsonEvidence.Base64(JsonEvidence.Property(quote, "signature", "tpm_quote"), "tpm_quote.signature"));
        var pcrList = JsonEvidence.Property(quote, "pcrs", "tpm_quote");
        if (pcrList.ValueKind != JsonValueKind.Array)
        {
            throw VerificationException.Malformed("tpm_quote.pcrs is not an array");
        }

        var bank = TpmQuoteVerifier.BankFromList(TpmHash.Sha256, pcrList.EnumerateArray().Select(p => JsonEvidence.HexString(p, "PCR")).ToList());
        var at = evidence.At ?? _time.GetUtcNow();

        var chain = new List<X509Certificate2>();
        if (JsonEvidence.OptionalProperty(root, "ak_cert_chain") is { ValueKind: JsonValueKind.Array } certs)
        {
            chain.AddRange(certs.EnumerateArray().Select(c => CertificateDecoder.DecodeDer(JsonEvidence.Base64(c, "ak_cert_chain"), "AK certificate")));
        }

        chain.AddRange(SuppliedCertificates.Decode(evidence.Certificates));

        var attest = TpmQuoteVerifier.Verify(message, signature, akSpki, [bank]);
        var trusted = _trust.Check(akSpki, chain, at);
        Binding.RequireEqual(attest.ExtraData, evidence.ExpectedReportData.Span, attest.ExtraData.Length, VerificationFailureReason.ReportDataMismatch, "TPM extraData");
        if (!evidence.ExpectedInitDataDigest.IsEmpty)
        {
            TpmInitData.RequirePcr8(bank, evidence.ExpectedInitDataDigest.Span);
        }

        var claims = TpmQuoteVerifier.QuoteClaims(attest, [bank]);
        claims["ak_public"] = Convert.ToBase64String(akSpki);
        claims["ak_digest"] = Hex.Of(SHA256.HashData(akSpki));
        claims["ak_trusted"] = trusted;
        claims["signature_scheme"] = signature.Scheme switch { TpmSignature.RsaSsa => "rsassa", TpmSignature.RsaPss => "rsapss", _ => "ecdsa" };
        if (JsonEvidence.OptionalProperty(root, "event_log") is { } log)
        {
            claims["event_log_pcrs"] = TpmEventLogCheck.RequireMatches(JsonEvidence.Base64(log, "event_log"), attest, [bank]);
        }

        return VerificationResult.Verified(Tee, claims);
    }
}
