using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using PodVm.Attestation.Verification;
using PodVm.Attestation.Verifiers;
using PodVm.Attestation.Verifiers.Tpm;

namespace PodVm.Attestation.Tests.Verifiers.Tpm;

public sealed class TpmVerifierTests
{
    private const string Vector = "trustee-tpm/tpm_evidence.json";
    private const string ExtraData = "a04182b506878d4f29b91ee606a71a0d3361ccf1b22db20c98adcaa537bea393ef0e41a18b3569ab678f1497fbc5c12000000000000000000000000000000000";
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static IEvidenceVerifier Verifier(TpmVerifierOptions? options = null) => EvidenceVerifiers.CreateTpm(options ?? new TpmVerifierOptions(), TimeProvider.System);

    private static async Task<VerificationResult> VerifyAsync(byte[] evidence, byte[]? nonce = null, IEvidenceVerifier? verifier = null, byte[]? initData = null) =>
        await (verifier ?? Verifier()).VerifyAsync(new EvidenceToVerify { Evidence = evidence, ExpectedReportData = nonce, ExpectedInitDataDigest = initData, At = Now }, CancellationToken.None).AsTask().DefaultTimeout();

    private static void AssertRejected(VerificationResult result, VerificationFailureReason reason)
    {
        Assert.False(result.IsVerified, "expected a rejection");
        Assert.True(reason == result.Failure!.Reason, $"expected {reason}, got {result.Failure}");
    }

    [Fact]
    public async Task VerifyAsync_TrusteeVector_ReturnsPcrsAndNonce()
    {
        var nonce = Convert.FromHexString(ExtraData)[..48];

        var result = await VerifyAsync(Vectors.Bytes(Vector), nonce);

        Assert.True(result.IsVerified, result.Failure?.ToString());
        Assert.Equal(TeeType.Tpm, result.Tee);
        Assert.Equal(ExtraData, (string?)result.Claims["nonce"]);
        var sha256 = result.Claims["pcrs"]!["sha256"]!.AsObject();
        Assert.Equal(24, sha256.Count);
        Assert.Equal(new string('0', 64), (string?)sha256["0"]);
        Assert.Equal(new string('f', 64), (string?)sha256["17"]);
        Assert.False((bool?)result.Claims["ak_trusted"]);
        Assert.Equal("rsassa", (string?)result.Claims["signature_scheme"]);
    }

    [Fact]
    public async Task VerifyAsync_VectorAkConfigured_AkTrusted()
    {
        var verifier = Verifier(new TpmVerifierOptions { TrustedAkPublicKeys = [Vectors.Bytes("trustee-tpm/tpm_evidence.ak-pub.DERIVED.der")] });

        var result = await VerifyAsync(Vectors.Bytes(Vector), verifier: verifier);

        Assert.True(result.IsVerified, result.Failure?.ToString());
        Assert.True((bool?)result.Claims["ak_trusted"]);
    }

    [Fact]
    public async Task VerifyAsync_OtherAkConfigured_RejectedAttestationKeyUntrusted()
    {
        using var other = RSA.Create(2048);
        var verifier = Verifier(new TpmVerifierOptions { TrustedAkPublicKeys = [other.ExportSubjectPublicKeyInfo()] });

        var result = await VerifyAsync(Vectors.Bytes(Vector), verifier: verifier);

        AssertRejected(result, VerificationFailureReason.AttestationKeyUntrusted);
    }

    [Fact]
    public async Task VerifyAsync_WrongNonce_RejectedReportDataMismatch()
    {
        var result = await VerifyAsync(Vectors.Bytes(Vector), new byte[48]);

        AssertRejected(result, VerificationFailureReason.ReportDataMismatch);
    }

    [Theory]
    [InlineData("message", 40)]
    [InlineData("signature", 100)]
    public async Task VerifyAsync_FlippedBit_RejectedSignatureInvalid(string field, int offset)
    {
        var result = await VerifyAsync(MutateVector(field, b => Vectors.FlipBit(b, offset)));

        AssertRejected(result, VerificationFailureReason.SignatureInvalid);
    }

    [Fact]
    public async Task VerifyAsync_QuotedPcrValueChanged_RejectedMeasurementMismatch()
    {
        var json = Vectors.Text(Vector);
        var changed = json.Replace("\"0000000000000000000000000000000000000000000000000000000000000000\"", "\"0000000000000000000000000000000000000000000000000000000000000001\"", StringComparison.Ordinal);

        var result = await VerifyAsync(Encoding.UTF8.GetBytes(changed));

        AssertRejected(result, VerificationFailureReason.MeasurementMismatch);
    }

    [Fact]
    public async Task VerifyAsync_InitDataNotInPcr8_RejectedInitDataMismatch()
    {
        var result = await VerifyAsync(Vectors.Bytes(Vector), initData: SHA384.HashData("initdata"u8));

        AssertRejected(result, VerificationFailureReason.InitDataMismatch);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(20)]
    [InlineData(400)]
    [InlineData(2000)]
    public async Task VerifyAsync_TruncatedJson_RejectedMalformedEvidence(int length)
    {
        var result = await VerifyAsync(Vectors.Bytes(Vector)[..length]);

        AssertRejected(result, VerificationFailureReason.MalformedEvidence);
    }

    [Theory]
    [InlineData("message")]
    [InlineData("signature")]
    public async Task VerifyAsync_TruncatedOrOversizedStructures_RejectedCleanly(string field)
    {
        var truncated = await VerifyAsync(MutateVector(field, b => b[..(b.Length - 3)]));
        var oversized = await VerifyAsync(MutateVector(field, b => [.. b, 0, 0, 0]));

        Assert.False(truncated.IsVerified);
        Assert.False(oversized.IsVerified);
        Assert.Contains(truncated.Failure!.Reason, new[] { VerificationFailureReason.MalformedEvidence, VerificationFailureReason.SignatureInvalid });
        Assert.Contains(oversized.Failure!.Reason, new[] { VerificationFailureReason.MalformedEvidence, VerificationFailureReason.SignatureInvalid });
    }

    [Theory]
    [InlineData("rsassa")]
    [InlineData("rsapss")]
    [InlineData("ecdsa")]
    public async Task VerifyAsync_SyntheticQuoteEachScheme_Verified(string scheme)
    {
        var pcrs = TpmTestEvidence.Pcrs(i => (byte)i);
        var nonce = SHA256.HashData("nonce"u8);
        var attest = TpmTestEvidence.Attest(nonce, [0, 7, 8], pcrs, SHA256.HashData);
        using var rsa = RSA.Create(2048);
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var (spki, signature) = scheme switch
        {
            "ecdsa" => (ec.ExportSubjectPublicKeyInfo(), TpmTestEvidence.EcdsaSignature(ec, attest)),
            _ => (rsa.ExportSubjectPublicKeyInfo(), TpmTestEvidence.RsaSignature(rsa, attest, scheme == "rsapss")),
        };

        var result = await VerifyAsync(TpmTestEvidence.Json(spki, attest, signature, pcrs), nonce);

        Assert.True(result.IsVerified, result.Failure?.ToString());
        Assert.Equal(scheme, (string?)result.Claims["signature_scheme"]);
        Assert.Equal(["0", "7", "8"], result.Claims["pcrs"]!["sha256"]!.AsObject().Select(p => p.Key));
    }

    [Fact]
    public async Task VerifyAsync_EventLogReplaysQuotedPcrs_Verified()
    {
        var pcrs = TpmTestEvidence.Pcrs(_ => 0);
        pcrs[4] = TpmTestEvidence.Replay("shim"u8.ToArray(), "grub"u8.ToArray());
        pcrs[9] = TpmTestEvidence.Replay("kernel"u8.ToArray());
        var log = TpmTestEvidence.EventLog((4, "shim"u8.ToArray()), (9, "kernel"u8.ToArray()), (4, "grub"u8.ToArray()));
        using var rsa = RSA.Create(2048);
        var attest = TpmTestEvidence.Attest([1, 2, 3], [4, 9], pcrs, SHA256.HashData);

        var result = await VerifyAsync(TpmTestEvidence.Json(rsa.ExportSubjectPublicKeyInfo(), attest, TpmTestEvidence.RsaSignature(rsa, attest, false), pcrs, log));

        Assert.True(result.IsVerified, result.Failure?.ToString());
        Assert.Equal(Convert.ToHexStringLower(pcrs[4]), (string?)result.Claims["event_log_pcrs"]!["sha256"]!["4"]);
    }

    [Fact]
    public async Task VerifyAsync_EventLogDisagreesWithQuote_RejectedMeasurementMismatch()
    {
        var pcrs = TpmTestEvidence.Pcrs(_ => 0);
        pcrs[4] = TpmTestEvidence.Replay("shim"u8.ToArray());
        var log = TpmTestEvidence.EventLog((4, "evil-shim"u8.ToArray()));
        using var rsa = RSA.Create(2048);
        var attest = TpmTestEvidence.Attest([1], [4], pcrs, SHA256.HashData);

        var result = await VerifyAsync(TpmTestEvidence.Json(rsa.ExportSubjectPublicKeyInfo(), attest, TpmTestEvidence.RsaSignature(rsa, attest, false), pcrs, log));

        AssertRejected(result, VerificationFailureReason.MeasurementMismatch);
    }

    [Fact]
    public async Task VerifyAsync_AkCertificateChain_TrustedOnlyInsideValidity()
    {
        using var rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var ak = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var otherRootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var root = SelfSigned(rootKey, "CN=AK Root");
        using var otherRoot = SelfSigned(otherRootKey, "CN=Other Root");
        var akRequest = new CertificateRequest("CN=AK", ak, HashAlgorithmName.SHA256);
        using var akCert = akRequest.Create(root, Now.AddDays(-1), Now.AddDays(30), [1, 2, 3]);
        var pcrs = TpmTestEvidence.Pcrs(_ => 0);
        var attest = TpmTestEvidence.Attest([9], [0], pcrs, SHA256.HashData);
        var evidence = TpmTestEvidence.Json(ak.ExportSubjectPublicKeyInfo(), attest, TpmTestEvidence.EcdsaSignature(ak, attest), pcrs, akChain: [akCert.RawData]);
        var verifier = Verifier(new TpmVerifierOptions { TrustedAkRoots = [root.RawData] });
        var otherVerifier = Verifier(new TpmVerifierOptions { TrustedAkRoots = [otherRoot.RawData] });

        var ok = await verifier.VerifyAsync(new EvidenceToVerify { Evidence = evidence, At = Now }, CancellationToken.None).AsTask().DefaultTimeout();
        var expired = await verifier.VerifyAsync(new EvidenceToVerify { Evidence = evidence, At = Now.AddDays(60) }, CancellationToken.None).AsTask().DefaultTimeout();
        var otherChain = await otherVerifier.VerifyAsync(new EvidenceToVerify { Evidence = evidence, At = Now }, CancellationToken.None).AsTask().DefaultTimeout();

        Assert.True(ok.IsVerified, ok.Failure?.ToString());
        Assert.True((bool?)ok.Claims["ak_trusted"]);
        AssertRejected(expired, VerificationFailureReason.CertificateExpired);
        AssertRejected(otherChain, VerificationFailureReason.CertificateChainInvalid);
    }

    [Fact]
    public void ExpectedPcr8_IsExtendOfTruncatedDigest()
    {
        var digest = SHA384.HashData("initdata"u8);

        Assert.Equal(SHA256.HashData([.. new byte[32], .. digest[..32]]), TpmInitData.ExpectedPcr8(digest));
    }

    private static X509Certificate2 SelfSigned(ECDsa key, string name)
    {
        var request = new CertificateRequest(name, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        return request.CreateSelfSigned(Now.AddYears(-1), Now.AddYears(5));
    }

    private static byte[] MutateVector(string field, Func<byte[], byte[]> mutate)
    {
        var json = System.Text.Json.Nodes.JsonNode.Parse(Vectors.Text(Vector))!;
        var quote = json["tpm_quote"]!;
        quote[field] = Convert.ToBase64String(mutate(Convert.FromBase64String((string)quote[field]!)));
        return Encoding.UTF8.GetBytes(json.ToJsonString());
    }
}
