using System.Text;
using PodVm.Attestation.Kbs;
using PodVm.Attestation.Verification;
using PodVm.Attestation.Verifiers;
using PodVm.Attestation.Verifiers.Common;
using PodVm.Attestation.Verifiers.Snp;

namespace PodVm.Attestation.Tests.Verifiers.Snp;

/// <summary>
/// SEV-SNP JSON evidence the KBS has parsed already (EvidenceToVerify.ParsedJson) decodes and verifies exactly as its
/// bytes do, and nesting the byte parse would refuse is refused the same way.
/// </summary>
public sealed class SnpParsedEvidenceTests
{
    private const string GenoaJson = "trustee-snp/e2e-genoa-evidence.json";

    [Fact]
    public void Decode_ParsedGenoaEvidence_SameReportAndCertificatesAsTheBytes()
    {
        var bytes = Vectors.Bytes(GenoaJson);
        using var document = MaskedJsonDocument.Parse(bytes);

        var fromBytes = SnpEvidenceDecoder.Decode(bytes);
        var fromParsed = SnpEvidenceDecoder.Decode(bytes, new ParsedJsonEvidence(document, document.RootElement));

        Assert.Equal(fromBytes.Report, fromParsed.Report);
        Assert.Equal(fromBytes.Certificates.Select(c => c.ToArray()), fromParsed.Certificates.Select(c => c.ToArray()));
    }

    [Fact]
    public async Task VerifyAsync_ParsedGenoaEvidence_SameClaimsAsTheBytes()
    {
        var bytes = Vectors.Bytes(GenoaJson);
        using var document = MaskedJsonDocument.Parse(bytes);
        var verifier = EvidenceVerifiers.CreateSnp(new SnpVerifierOptions(), TimeProvider.System);
        var plain = new EvidenceToVerify { Evidence = bytes, At = Vectors.SnpTime };

        var fromBytes = await verifier.VerifyAsync(plain, TestContext.Current.CancellationToken).AsTask().DefaultTimeout();
        var fromParsed = await verifier.VerifyAsync(plain with { ParsedJson = new ParsedJsonEvidence(document, document.RootElement) }, TestContext.Current.CancellationToken).AsTask().DefaultTimeout();

        Assert.True(fromBytes.IsVerified, fromBytes.Failure?.ToString());
        Assert.True(fromParsed.IsVerified, fromParsed.Failure?.ToString());
        Assert.Equal(fromBytes.Claims.ToJsonString(JsonText.Compact), fromParsed.Claims.ToJsonString(JsonText.Compact));
    }

    [Theory]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(40)]
    public async Task VerifyAsync_DeeplyNestedParsedEvidence_SameVerdictAsTheBytes(int depth)
    {
        // The Genoa evidence with an extra member nested `depth` levels below the root object.
        var original = Vectors.Text(GenoaJson).Trim();
        var nested = new string('[', depth - 1) + "1" + new string(']', depth - 1);
        var bytes = Encoding.UTF8.GetBytes(original[..^1] + ",\"extra\":" + nested + "}");
        using var document = MaskedJsonDocument.Parse(bytes);
        var verifier = EvidenceVerifiers.CreateSnp(new SnpVerifierOptions(), TimeProvider.System);
        var plain = new EvidenceToVerify { Evidence = bytes, At = Vectors.SnpTime };

        var fromBytes = await verifier.VerifyAsync(plain, TestContext.Current.CancellationToken).AsTask().DefaultTimeout();
        var fromParsed = await verifier.VerifyAsync(plain with { ParsedJson = new ParsedJsonEvidence(document, document.RootElement) }, TestContext.Current.CancellationToken).AsTask().DefaultTimeout();

        Assert.Equal(depth <= JsonEvidence.MaxDepth, fromBytes.IsVerified);
        Assert.Equal(fromBytes.IsVerified, fromParsed.IsVerified);
        Assert.Equal(fromBytes.Failure?.ToString(), fromParsed.Failure?.ToString());
    }

    [Theory]
    [InlineData("{\"a\":\"[[[[[[[[[[[[[[[[[[[[\"}", true)]
    [InlineData("{\"a\":\"\\\"[[[[[[[[[[[[[[[[[[[[\"}", true)]
    [InlineData("{\"a\":[{\"b\":[{\"c\":[]}]}]}", true)]
    public void WithinMaxDepth_BracketsInStrings_NotCounted(string json, bool expected)
    {
        Assert.Equal(expected, JsonEvidence.WithinMaxDepth(Encoding.UTF8.GetBytes(json)));
        using var document = JsonEvidence.Parse(Encoding.UTF8.GetBytes(json), "test");
    }
}
