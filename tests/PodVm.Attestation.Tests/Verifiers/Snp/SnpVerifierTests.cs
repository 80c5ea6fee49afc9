using System.Text;
using Microsoft.Extensions.Time.Testing;
using PodVm.Attestation.Verification;
using PodVm.Attestation.Verifiers;
using PodVm.Attestation.Verifiers.Snp;

namespace PodVm.Attestation.Tests.Verifiers.Snp;

public sealed class SnpVerifierTests
{
    private const string MilanReport = "trustee-snp/test-report.bin";
    private const string MilanVcek = "trustee-snp/test-vcek.der";
    private const string VlekReport = "trustee-snp/test-vlek-report.bin";
    private const string Vlek = "trustee-snp/test-vlek.der";
    private const string GenoaJson = "trustee-snp/e2e-genoa-evidence.json";
    private const string GenoaReport = "trustee-snp/e2e-genoa-report.DERIVED.bin";
    private const string GenoaVcek = "trustee-snp/e2e-genoa-vcek.DERIVED.der";
    private const string VirteeReport = "virtee-sev/report_milan.hex";
    private const string VirteeVcek = "virtee-sev/vcek_milan.der";
    private const string VirteeChain = "virtee-sev/cert_chain_milan.pem";

    public static TheoryData<string, string?, string?> AllVectors => new()
    {
        { MilanReport, MilanVcek, null },
        { VlekReport, Vlek, null },
        { GenoaJson, null, null },
        { GenoaReport, GenoaVcek, null },
        { VirteeReport, VirteeVcek, VirteeChain },
    };

    private static IEvidenceVerifier CreateVerifier(ISnpCertificateSource? source = null, TimeProvider? time = null) =>
        EvidenceVerifiers.CreateSnp(new SnpVerifierOptions { CertificateSource = source }, time ?? TimeProvider.System);

    private static EvidenceToVerify Evidence(byte[] evidence, params byte[][] certificates) => new()
    {
        Evidence = evidence,
        At = Vectors.SnpTime,
        Certificates = [.. certificates.Select(c => (ReadOnlyMemory<byte>)c)],
    };

    private static EvidenceToVerify VectorEvidence(string report, string? vek, string? chain) =>
        Evidence(Vectors.Bytes(report), [.. new[] { vek, chain }.Where(p => p is not null).Select(p => Vectors.Bytes(p!))]);

    private static async Task<VerificationResult> VerifyAsync(EvidenceToVerify evidence, IEvidenceVerifier? verifier = null) =>
        await (verifier ?? CreateVerifier()).VerifyAsync(evidence, CancellationToken.None).AsTask().DefaultTimeout();

    private static void AssertRejected(VerificationResult result, VerificationFailureReason reason)
    {
        Assert.False(result.IsVerified, "expected a rejection");
        Assert.True(reason == result.Failure!.Reason, $"expected {reason}, got {result.Failure}");
    }

    [Fact]
    public async Task VerifyAsync_MilanVcekReport_ReturnsExpectedClaims()
    {
        var result = await VerifyAsync(VectorEvidence(MilanReport, MilanVcek, null));

        Assert.True(result.IsVerified, result.Failure?.ToString());
        var c = result.Claims;
        Assert.Equal(TeeType.Snp, result.Tee);
        Assert.Equal("Milan", (string?)c["product"]);
        Assert.Equal(2u, (uint?)c["version"]);
        Assert.Equal("a1f3930413247bb38cfc171579ea3c12d5fe4901f0c792f63fd75d98f1ef827c23500644e0e692e6be917f9050d3d38c", (string?)c["measurement"]);
        Assert.Equal("ec6c52d7533cc2c4f45be7849cf112ab82b2009fe7bd43e71ed08c14400ad7e2" + new string('0', 64), (string?)c["report_data"]);
        Assert.Equal("c38427a30d4c7af9d96f7a15b97269825a64cb76a2352ffd5d18115d89ad473f8e8c0bcd9a5d9286612bad4aadfb4426205a3b9e4fea82301135a170e477524e", (string?)c["chip_id"]);
        Assert.Equal(new string('0', 64), (string?)c["host_data"]);
        Assert.Equal(0u, (uint?)c["vmpl"]);
        AssertTcb(c["reported_tcb"]!, 3, 0, 8, 115);
        Assert.Equal("0x3001f", (string?)c["policy"]!["value"]);
        Assert.Equal(0x1f, (int?)c["policy"]!["abi_minor"]);
        Assert.False((bool?)c["policy"]!["debug_allowed"]);
        Assert.True((bool?)c["policy"]!["smt_allowed"]);
        Assert.Equal("vcek", (string?)c["signing_key"]);
    }

    [Fact]
    public async Task VerifyAsync_VlekReport_ReturnsVlekClaimsAtVmpl1()
    {
        var result = await VerifyAsync(VectorEvidence(VlekReport, Vlek, null));

        Assert.True(result.IsVerified, result.Failure?.ToString());
        var c = result.Claims;
        Assert.Equal(3u, (uint?)c["version"]);
        Assert.Equal("vlek", (string?)c["signing_key"]);
        Assert.Equal(1u, (uint?)c["vmpl"]);
        Assert.Equal("8922ebbdd00ec2c541f36a6e7a82a8773a7accb451ed67bc94e740dbe92c93c4e8c9af857f5ceeb5a493df2a570d7bf0", (string?)c["measurement"]);
        Assert.Equal(new string('0', 128), (string?)c["chip_id"]);
        AssertTcb(c["reported_tcb"]!, 4, 0, 24, 217);
        Assert.Equal(0x19, (int?)c["cpuid"]!["family"]);
        Assert.Equal(0x01, (int?)c["cpuid"]!["model"]);
        Assert.Equal("CN=cc-us-east-2.amazonaws.com", (string?)c["csp_id"]); // the extension's IA5String, as AWS wrote it
        Assert.False((bool?)c["policy"]!["debug_allowed"]);
    }

    [Theory]
    [InlineData(GenoaJson, null)]
    [InlineData(GenoaReport, GenoaVcek)]
    public async Task VerifyAsync_GenoaReport_ReturnsExpectedClaims(string report, string? vcek)
    {
        var result = await VerifyAsync(VectorEvidence(report, vcek, null));

        Assert.True(result.IsVerified, result.Failure?.ToString());
        var c = result.Claims;
        Assert.Equal("Genoa", (string?)c["product"]);
        Assert.Equal("6a6519d757e68c2e939c9dbbbc1828498e8de35d2766dd05f1a2cca5059d0cf4ae62a36d75c837974dd50b315506e73e", (string?)c["measurement"]);
        Assert.Equal("7e7320889600c7ac133aea7b896c51f41026002982292a7369559796999c1bf929eef3ff23c46e858f0b1982f9a92b17c51b578d958cde6b0c92978f150cf9b0", (string?)c["report_data"]);
        AssertTcb(c["reported_tcb"]!, 10, 0, 23, 25);
        Assert.Equal("1.55.40", (string?)c["current_version"]);
        Assert.Equal(0xA0, (int?)c["cpuid"]!["model"]);
    }

    [Fact]
    public async Task VerifyAsync_VirteeHexReportWithPemChain_ReturnsExpectedClaims()
    {
        var result = await VerifyAsync(VectorEvidence(VirteeReport, VirteeVcek, VirteeChain));

        Assert.True(result.IsVerified, result.Failure?.ToString());
        var c = result.Claims;
        Assert.Equal("7a1e5c266c0108dbc9bb94fa926951320940915d0aafb42464bd88b579ea158d3e1a0dc39b2c60bd95b9c480cd81841f", (string?)c["measurement"]);
        Assert.Equal("d447b55d197491bfe15cf298f9de9986b7a7c4be2468b4f6e2d53b71d7c645810b0f2cdfca0040433be063fc1a8293f0f3f8dae7b79fecb3d1cd82bd6a93ebfd", (string?)c["report_data"]);
        Assert.Equal("d49554ec717f4e5b0fe6b143bcf0405bd7ae304727edf46603f2a76aef6a3abc15d7af38db757039029f0efacfd08e244324884738c72b082e2f87a44d541eb6", (string?)c["chip_id"]);
        AssertTcb(c["reported_tcb"]!, 3, 0, 8, 115);
        Assert.Equal("1.52.4", (string?)c["current_version"]);
    }

    [Fact]
    public async Task VerifyAsync_NoAtButFakeClock_UsesTimeProvider()
    {
        var clock = new FakeTimeProvider(Vectors.SnpTime);
        var evidence = VectorEvidence(MilanReport, MilanVcek, null) with { At = null };

        var result = await VerifyAsync(evidence, CreateVerifier(time: clock));
        clock.SetUtcNow(new DateTimeOffset(2035, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var later = await VerifyAsync(evidence, CreateVerifier(time: clock));

        Assert.True(result.IsVerified, result.Failure?.ToString());
        AssertRejected(later, VerificationFailureReason.CertificateExpired);
    }

    [Theory]
    [MemberData(nameof(AllVectors))]
    public async Task VerifyAsync_ExpectedReportDataMatches_Verified(string report, string? vek, string? chain)
    {
        var evidence = VectorEvidence(report, vek, chain);
        var first = await VerifyAsync(evidence);
        var reportData = Convert.FromHexString((string)first.Claims!["report_data"]!);

        var result = await VerifyAsync(evidence with { ExpectedReportData = reportData, ExpectedInitDataDigest = new byte[48] });

        Assert.True(result.IsVerified, result.Failure?.ToString());
    }

    [Theory]
    [MemberData(nameof(AllVectors))]
    public async Task VerifyAsync_WrongReportData_RejectedReportDataMismatch(string report, string? vek, string? chain)
    {
        var result = await VerifyAsync(VectorEvidence(report, vek, chain) with { ExpectedReportData = new byte[48] });

        AssertRejected(result, VerificationFailureReason.ReportDataMismatch);
    }

    [Theory]
    [MemberData(nameof(AllVectors))]
    public async Task VerifyAsync_WrongInitData_RejectedInitDataMismatch(string report, string? vek, string? chain)
    {
        var result = await VerifyAsync(VectorEvidence(report, vek, chain) with { ExpectedInitDataDigest = Enumerable.Repeat((byte)7, 48).ToArray() });

        AssertRejected(result, VerificationFailureReason.InitDataMismatch);
    }

    [Theory]
    [MemberData(nameof(AllVectors))]
    public async Task VerifyAsync_FlippedBitInSignedBody_RejectedSignatureInvalid(string report, string? vek, string? chain)
    {
        var evidence = VectorEvidence(report, vek, chain);
        var binary = ToBinary(evidence.Evidence.ToArray(), report, out var certificates);

        var result = await VerifyAsync(evidence with { Evidence = Vectors.FlipBit(binary, 0x90), Certificates = [.. evidence.Certificates, .. certificates] });

        AssertRejected(result, VerificationFailureReason.SignatureInvalid);
    }

    [Theory]
    [MemberData(nameof(AllVectors))]
    public async Task VerifyAsync_FlippedBitInSignature_RejectedSignatureInvalid(string report, string? vek, string? chain)
    {
        var evidence = VectorEvidence(report, vek, chain);
        var binary = ToBinary(evidence.Evidence.ToArray(), report, out var certificates);

        var result = await VerifyAsync(evidence with { Evidence = Vectors.FlipBit(binary, 0x2A0 + 5), Certificates = [.. evidence.Certificates, .. certificates] });

        AssertRejected(result, VerificationFailureReason.SignatureInvalid);
    }

    [Theory]
    [MemberData(nameof(AllVectors))]
    public async Task VerifyAsync_CaChainOfAnotherProduct_RejectedCertificateChainInvalid(string report, string? vek, string? chain)
    {
        _ = chain; // the vector's own chain is replaced by Turin's
        var evidence = VectorEvidence(report, vek, null);
        var otherChain = Vectors.Bytes("virtee-sev/cert_chain_turin.pem");

        var result = await VerifyAsync(evidence with { Certificates = [.. evidence.Certificates, otherChain] });

        AssertRejected(result, VerificationFailureReason.CertificateChainInvalid);
    }

    [Fact]
    public async Task VerifyAsync_VcekOfAnotherChip_RejectedSignatureInvalid()
    {
        var result = await VerifyAsync(Evidence(Vectors.Bytes(MilanReport), Vectors.Bytes(VirteeVcek)));

        AssertRejected(result, VerificationFailureReason.SignatureInvalid);
    }

    [Fact]
    public async Task VerifyAsync_VcekOfAnotherGeneration_RejectedCertificateChainInvalid()
    {
        // A v3 report names its generation in CPUID: a Milan VCEK cannot vouch for a Genoa report.
        var result = await VerifyAsync(Evidence(Vectors.Bytes(GenoaReport), Vectors.Bytes(MilanVcek)));

        AssertRejected(result, VerificationFailureReason.CertificateChainInvalid);
    }

    [Fact]
    public async Task VerifyAsync_VcekForVlekReport_RejectedCertificateChainInvalid()
    {
        var result = await VerifyAsync(Evidence(Vectors.Bytes(VlekReport), Vectors.Bytes(MilanVcek)));

        AssertRejected(result, VerificationFailureReason.CertificateChainInvalid);
    }

    [Fact]
    public async Task VerifyAsync_CertificateNotChainValid_RejectedCertificateChainInvalid()
    {
        var result = await VerifyAsync(Evidence(Vectors.Bytes(MilanReport), Vectors.Bytes("trustee-snp/test-vcek-invalid-new.der")));

        AssertRejected(result, VerificationFailureReason.CertificateChainInvalid);
    }

    [Theory]
    [MemberData(nameof(AllVectors))]
    public async Task VerifyAsync_TimeAfterValidity_RejectedCertificateExpired(string report, string? vek, string? chain)
    {
        var result = await VerifyAsync(VectorEvidence(report, vek, chain) with { At = new DateTimeOffset(2049, 1, 1, 0, 0, 0, TimeSpan.Zero) });

        AssertRejected(result, VerificationFailureReason.CertificateExpired);
    }

    [Theory]
    [MemberData(nameof(AllVectors))]
    public async Task VerifyAsync_TimeBeforeValidity_RejectedCertificateExpired(string report, string? vek, string? chain)
    {
        var result = await VerifyAsync(VectorEvidence(report, vek, chain) with { At = new DateTimeOffset(2019, 1, 1, 0, 0, 0, TimeSpan.Zero) });

        AssertRejected(result, VerificationFailureReason.CertificateExpired);
    }

    [Fact]
    public async Task VerifyAsync_VlekAfterItsOneYear_RejectedCertificateExpired()
    {
        var result = await VerifyAsync(VectorEvidence(VlekReport, Vlek, null) with { At = new DateTimeOffset(2025, 12, 11, 0, 0, 0, TimeSpan.Zero) });

        AssertRejected(result, VerificationFailureReason.CertificateExpired);
    }

    [Fact]
    public async Task VerifyAsync_NoVcekAndNoSource_RejectedCollateralUnavailable()
    {
        var result = await VerifyAsync(Evidence(Vectors.Bytes(MilanReport)));

        AssertRejected(result, VerificationFailureReason.CollateralUnavailable);
    }

    [Fact]
    public async Task VerifyAsync_VcekFromCachingSource_FetchedOnceAndVerified()
    {
        var source = new FakeVcekSource(Vectors.Bytes(GenoaVcek));
        var verifier = CreateVerifier(new CachingSnpCertificateSource(source));

        var first = await VerifyAsync(Evidence(Vectors.Bytes(GenoaReport)), verifier);
        var second = await VerifyAsync(Evidence(Vectors.Bytes(GenoaReport)), verifier);

        Assert.True(first.IsVerified, first.Failure?.ToString());
        Assert.True(second.IsVerified, second.Failure?.ToString());
        Assert.Equal(1, source.Calls);
        Assert.Equal(SnpProcessorGeneration.Genoa, source.LastGeneration);
        Assert.Equal(new SnpTcb(null, 10, 0, 23, 25), source.LastTcb);
    }

    [Fact]
    public async Task VerifyAsync_SourceHasNoVcek_RejectedCollateralUnavailable()
    {
        var result = await VerifyAsync(Evidence(Vectors.Bytes(GenoaReport)), CreateVerifier(new FakeVcekSource(null)));

        AssertRejected(result, VerificationFailureReason.CollateralUnavailable);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(100)]
    [InlineData(1183)]
    [InlineData(1185)]
    [InlineData(5000)]
    public async Task VerifyAsync_TruncatedOrOversizedReport_RejectedMalformedEvidence(int length)
    {
        var report = Vectors.Bytes(MilanReport);
        var data = new byte[length];
        report.AsSpan(0, Math.Min(length, report.Length)).CopyTo(data);

        var result = await VerifyAsync(Evidence(data, Vectors.Bytes(MilanVcek)));

        AssertRejected(result, VerificationFailureReason.MalformedEvidence);
    }

    [Fact]
    public async Task VerifyAsync_HugeEvidence_RejectedMalformedEvidence()
    {
        var result = await VerifyAsync(Evidence(new byte[5 * 1024 * 1024]));

        AssertRejected(result, VerificationFailureReason.MalformedEvidence);
    }

    [Fact]
    public async Task VerifyAsync_UnknownVersion_RejectedUnsupportedVersion()
    {
        var report = Vectors.Bytes(MilanReport);
        report[0] = 9;

        var result = await VerifyAsync(Evidence(report, Vectors.Bytes(MilanVcek)));

        AssertRejected(result, VerificationFailureReason.UnsupportedVersion);
    }

    [Theory]
    [InlineData(10)]
    [InlineData(500)]
    [InlineData(3000)]
    public async Task VerifyAsync_TruncatedTrusteeJson_RejectedMalformedEvidence(int length)
    {
        var json = Vectors.Bytes(GenoaJson)[..length];

        var result = await VerifyAsync(Evidence(json));

        AssertRejected(result, VerificationFailureReason.MalformedEvidence);
    }

    [Theory]
    [InlineData("\"measurement\":[106", "\"measurement\":[107")]
    [InlineData("\"vmpl\":0", "\"vmpl\":1")]
    public async Task VerifyAsync_TrusteeJsonFieldChanged_RejectedSignatureInvalid(string from, string to)
    {
        var json = Vectors.Text(GenoaJson);
        Assert.Contains(from, json, StringComparison.Ordinal);

        var result = await VerifyAsync(Evidence(Encoding.UTF8.GetBytes(json.Replace(from, to, StringComparison.Ordinal))));

        AssertRejected(result, VerificationFailureReason.SignatureInvalid);
    }

    [Theory]
    [InlineData("\"measurement\":[106", "\"measurement\":[1106")]
    [InlineData("\"measurement\":[106", "\"measurement\":[\"x\"")]
    [InlineData("\"vmpl\":0", "\"vmpl\":-1")]
    [InlineData("\"attestation_report\"", "\"attestation\"")]
    public async Task VerifyAsync_TrusteeJsonCorrupted_RejectedMalformedEvidence(string from, string to)
    {
        var json = Vectors.Text(GenoaJson).Replace(from, to, StringComparison.Ordinal);

        var result = await VerifyAsync(Evidence(Encoding.UTF8.GetBytes(json)));

        AssertRejected(result, VerificationFailureReason.MalformedEvidence);
    }

    [Fact]
    public async Task VerifyAsync_RandomCorruptions_NeverThrow()
    {
        var report = Vectors.Bytes(MilanReport);
        var vcek = Vectors.Bytes(MilanVcek);
        var random = new Random(6);
        for (var i = 0; i < 200; i++)
        {
            var data = (byte[])report.Clone();
            data[random.Next(0x330)] ^= (byte)(1 << random.Next(8)); // signed body and r, s (the rest of the signature area is reserved)
            var cert = (byte[])vcek.Clone();
            if (i % 2 == 0)
            {
                cert[random.Next(cert.Length)] ^= (byte)(1 << random.Next(8));
            }

            var result = await VerifyAsync(Evidence(data, cert));

            Assert.False(result.IsVerified);
        }
    }

    private static byte[] ToBinary(byte[] evidence, string path, out byte[][] certificates)
    {
        certificates = [];
        if (path.EndsWith(".hex", StringComparison.Ordinal))
        {
            return Convert.FromHexString(Encoding.ASCII.GetString(evidence).Trim());
        }

        if (path.EndsWith(".json", StringComparison.Ordinal))
        {
            certificates = [Vectors.Bytes(GenoaVcek)];
            return Vectors.Bytes(GenoaReport);
        }

        return evidence;
    }

    private static void AssertTcb(System.Text.Json.Nodes.JsonNode tcb, int bl, int tee, int snp, int ucode)
    {
        Assert.Equal(bl, (int?)tcb["bootloader"]);
        Assert.Equal(tee, (int?)tcb["tee"]);
        Assert.Equal(snp, (int?)tcb["snp"]);
        Assert.Equal(ucode, (int?)tcb["microcode"]);
    }

    private sealed class FakeVcekSource(byte[]? vcek) : ISnpCertificateSource
    {
        public int Calls { get; private set; }

        public SnpProcessorGeneration? LastGeneration { get; private set; }

        public SnpTcb? LastTcb { get; private set; }

        public ValueTask<byte[]?> GetVcekAsync(SnpProcessorGeneration generation, ReadOnlyMemory<byte> chipId, SnpTcb reportedTcb, CancellationToken cancellationToken)
        {
            Calls++;
            LastGeneration = generation;
            LastTcb = reportedTcb;
            return ValueTask.FromResult(vcek);
        }
    }
}
