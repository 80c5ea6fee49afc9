using System.Text;
using System.Text.Json.Nodes;
using PodVm.Attestation.Verification;
using PodVm.Attestation.Verifiers;
using PodVm.Attestation.Verifiers.Snp;

namespace PodVm.Attestation.Tests.Verifiers.AzureVtpm;

public sealed class AzSnpVtpmVerifierTests
{
    public static TheoryData<string, string, string, string> Vectors_ => new()
    {
        { "trustee-az-snp-vtpm/evidence-v0.json", "6368616c6c656e6765", "e15c44796beabf46abcec7c57e590942041e47497e4ec27571c8b7664f48dced", "6a063be9dd79f6371c842e480f8dc3b5c725961344e57130e88c5adf49e8f7f6c79b75a5eb77fc769959f4aeb2f9401e" },
        { "trustee-az-snp-vtpm/evidence-v1.json", "6368616c6c656e6765", "e15c44796beabf46abcec7c57e590942041e47497e4ec27571c8b7664f48dced", "6a063be9dd79f6371c842e480f8dc3b5c725961344e57130e88c5adf49e8f7f6c79b75a5eb77fc769959f4aeb2f9401e" },
        { "trustee-az-snp-vtpm/evidence-v2.json", "982f5c6e45df0ed3f10b6f60b02f0c8390e281300f3805e2279c16168cd6ae9aa398f647caa2338748cd0fd9f5f819ef", "84275b2f4312cd4fc6cbe6b152ad3c3683e513d9f1e23c34fca160c8cca7a6a7", "5b0ce64ad1c1f6375dbda5f760b98526ca1bcf91b8195091afc28e7b024251d68fe32e05af34048d6607678cd23283ff" },
        { "trustee-az-snp-vtpm/evidence-genoa.json", "0218488bae25d2509232bf676f1a66a30d7372add909109b36016ef136f2938ca05475f8b46094de6b64270ea35d950f", "afd689d0bb1c5f36f023fbaf574135f555a28a10c1f6b938d2a25e70c7783338", "f57dc09a507c6ecd82369bffb600f0003792f4d99bc26e985ec0c266fc34faf3706faf814c9e61065768a6ff917c89ae" },
    };

    private static IEvidenceVerifier Verifier() => EvidenceVerifiers.CreateAzSnpVtpm(new SnpVerifierOptions(), TimeProvider.System);

    private static async Task<VerificationResult> VerifyAsync(byte[] evidence, byte[]? nonce = null, DateTimeOffset? at = null) =>
        await Verifier().VerifyAsync(new EvidenceToVerify { Evidence = evidence, ExpectedReportData = nonce, At = at ?? Vectors.SnpTime }, CancellationToken.None).AsTask().DefaultTimeout();

    private static void AssertRejected(VerificationResult result, VerificationFailureReason reason)
    {
        Assert.False(result.IsVerified, "expected a rejection");
        Assert.True(reason == result.Failure!.Reason, $"expected {reason}, got {result.Failure}");
    }

    [Theory]
    [MemberData(nameof(Vectors_))]
    public async Task VerifyAsync_Vector_ReturnsExpectedClaims(string path, string nonce, string pcr0, string measurement)
    {
        var result = await VerifyAsync(Vectors.Bytes(path), Convert.FromHexString(nonce));

        Assert.True(result.IsVerified, result.Failure?.ToString());
        Assert.Equal(TeeType.AzSnpVtpm, result.Tee);
        Assert.Equal(nonce, (string?)result.Claims["tpm"]!["nonce"]);
        Assert.Equal(pcr0, (string?)result.Claims["tpm"]!["pcrs"]!["sha256"]!["0"]);
        Assert.Equal(measurement, (string?)result.Claims["snp"]!["measurement"]);
        Assert.Equal(0u, (uint?)result.Claims["snp"]!["vmpl"]);
        Assert.NotNull(result.Claims["hcl"]!["vm_configuration"]);
    }

    [Fact]
    public async Task VerifyAsync_GenoaVector_HasPcr8()
    {
        var result = await VerifyAsync(Vectors.Bytes("trustee-az-snp-vtpm/evidence-genoa.json"));

        Assert.True(result.IsVerified, result.Failure?.ToString());
        Assert.Equal("16f09f1e315b0b9bc69e654df58927aad7eaffeebd92f458f1b079b44e97207f", (string?)result.Claims["tpm"]!["pcrs"]!["sha256"]!["8"]);
        Assert.Equal("Genoa", (string?)result.Claims["snp"]!["product"]);
    }

    [Theory]
    [MemberData(nameof(Vectors_))]
    public async Task VerifyAsync_WrongNonce_RejectedReportDataMismatch(string path, string nonce, string pcr0, string measurement)
    {
        _ = (pcr0, measurement);
        var wrong = Convert.FromHexString(nonce);
        wrong[0] ^= 1;

        var result = await VerifyAsync(Vectors.Bytes(path), wrong);

        AssertRejected(result, VerificationFailureReason.ReportDataMismatch);
    }

    [Theory]
    [MemberData(nameof(Vectors_))]
    public async Task VerifyAsync_TimeOutsideVcekValidity_RejectedCertificateExpired(string path, string nonce, string pcr0, string measurement)
    {
        _ = (nonce, pcr0, measurement);

        var result = await VerifyAsync(Vectors.Bytes(path), at: new DateTimeOffset(2040, 1, 1, 0, 0, 0, TimeSpan.Zero));

        AssertRejected(result, VerificationFailureReason.CertificateExpired);
    }

    [Theory]
    [MemberData(nameof(Vectors_))]
    public async Task VerifyAsync_FlippedBitInQuoteMessage_RejectedSignatureInvalid(string path, string nonce, string pcr0, string measurement)
    {
        _ = (nonce, pcr0, measurement);

        var result = await VerifyAsync(Mutate(path, "message", b => global::PodVm.Attestation.Tests.Verifiers.Vectors.FlipBit(b, 30)));

        AssertRejected(result, VerificationFailureReason.SignatureInvalid);
    }

    [Theory]
    [MemberData(nameof(Vectors_))]
    public async Task VerifyAsync_FlippedBitInQuoteSignature_RejectedSignatureInvalid(string path, string nonce, string pcr0, string measurement)
    {
        _ = (nonce, pcr0, measurement);

        var result = await VerifyAsync(Mutate(path, "signature", b => global::PodVm.Attestation.Tests.Verifiers.Vectors.FlipBit(b, 7)));

        AssertRejected(result, VerificationFailureReason.SignatureInvalid);
    }

    [Theory]
    [InlineData(0x20 + 0x90, VerificationFailureReason.SignatureInvalid)] // SNP measurement: signed by the VCEK
    [InlineData(0x4D4 + 40, VerificationFailureReason.AttestationKeyUntrusted)] // HCL variable data: bound by REPORT_DATA
    [InlineData(0x20 + 0x2A0 + 3, VerificationFailureReason.SignatureInvalid)] // SNP signature
    public async Task VerifyAsync_FlippedBitInHclReport_RejectedWithReason(int offset, VerificationFailureReason reason)
    {
        var result = await VerifyAsync(MutateHcl("trustee-az-snp-vtpm/evidence-v1.json", b => global::PodVm.Attestation.Tests.Verifiers.Vectors.FlipBit(b, offset)));

        AssertRejected(result, reason);
    }

    [Fact]
    public async Task VerifyAsync_VcekFromAnotherChain_RejectedSignatureOrChain()
    {
        var json = JsonNode.Parse(global::PodVm.Attestation.Tests.Verifiers.Vectors.Text("trustee-az-snp-vtpm/evidence-v1.json"))!;
        json["vcek"] = Convert.ToBase64String(global::PodVm.Attestation.Tests.Verifiers.Vectors.Bytes("trustee-snp/test-vcek.der"));

        var result = await VerifyAsync(Encoding.UTF8.GetBytes(json.ToJsonString()));

        Assert.False(result.IsVerified);
        Assert.Contains(result.Failure!.Reason, new[] { VerificationFailureReason.CertificateChainInvalid, VerificationFailureReason.SignatureInvalid });
    }

    [Theory]
    [InlineData(100)]
    [InlineData(1300)]
    public async Task VerifyAsync_TruncatedHclReport_RejectedMalformedEvidence(int length)
    {
        var result = await VerifyAsync(MutateHcl("trustee-az-snp-vtpm/evidence-v1.json", b => b[..length]));

        AssertRejected(result, VerificationFailureReason.MalformedEvidence);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(77)]
    [InlineData(5000)]
    public async Task VerifyAsync_TruncatedJson_RejectedMalformedEvidence(int length)
    {
        var result = await VerifyAsync(global::PodVm.Attestation.Tests.Verifiers.Vectors.Bytes("trustee-az-snp-vtpm/evidence-v1.json")[..length]);

        AssertRejected(result, VerificationFailureReason.MalformedEvidence);
    }

    private static byte[] Mutate(string path, string field, Func<byte[], byte[]> mutate)
    {
        var json = JsonNode.Parse(global::PodVm.Attestation.Tests.Verifiers.Vectors.Text(path))!;
        var quote = json["tpm_quote"] ?? json["quote"]!;
        var node = quote[field]!;
        if (node is JsonArray array)
        {
            var bytes = mutate([.. array.Select(n => (byte)(int)n!)]);
            quote[field] = new JsonArray([.. bytes.Select(b => (JsonNode)(int)b)]);
        }
        else
        {
            quote[field] = Convert.ToHexStringLower(mutate(Convert.FromHexString((string)node!)));
        }

        return Encoding.UTF8.GetBytes(json.ToJsonString());
    }

    private static byte[] MutateHcl(string path, Func<byte[], byte[]> mutate)
    {
        var json = JsonNode.Parse(global::PodVm.Attestation.Tests.Verifiers.Vectors.Text(path))!;
        var hcl = Convert.FromBase64String(((string)json["hcl_report"]!).Replace('-', '+').Replace('_', '/').PadRight(3468 + ((4 - (3468 % 4)) % 4), '='));
        json["hcl_report"] = Convert.ToBase64String(mutate(hcl));
        return Encoding.UTF8.GetBytes(json.ToJsonString());
    }
}
