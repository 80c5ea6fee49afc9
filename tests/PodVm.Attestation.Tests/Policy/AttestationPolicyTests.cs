using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using PodVm.Attestation.Policy;
using PodVm.Attestation.ReferenceValues;

namespace PodVm.Attestation.Tests.Policy;

public sealed class AttestationPolicyTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static JsonObject SnpClaims(bool debug = false) => new()
    {
        ["measurement"] = "A1F39304",
        ["reported_tcb"] = new JsonObject { ["bootloader"] = 3, ["tee"] = 0, ["snp"] = 8, ["microcode"] = 115 },
        ["policy"] = new JsonObject { ["debug_allowed"] = debug },
    };

    private static async Task<InMemoryReferenceValueStore> SnpReferenceValues(string measurement = "a1f39304", int microcode = 115)
    {
        var store = new InMemoryReferenceValueStore(new FakeTimeProvider(Now));
        ReferenceValue Rv(string name, JsonNode value) => new() { Name = name, Values = [value], Expiration = Now.AddDays(1) };
        await store.SetAsync(
            [
                Rv("snp_launch_measurement", measurement),
                Rv("snp_bootloader", 3),
                Rv("snp_tee_svn", 0),
                Rv("snp_snp_svn", 8),
                Rv("snp_microcode", microcode),
            ],
            CancellationToken.None);
        return store;
    }

    [Fact]
    public async Task Appraise_DefaultPolicyMatchingSnp_Affirming()
    {
        var result = await AttestationPolicy.Default.AppraiseAsync("snp", SnpClaims(), await SnpReferenceValues(), CancellationToken.None);

        Assert.Equal(EarStatus.Affirming, result.Status);
        Assert.Equal(3, result.TrustVector["executables"]);
        Assert.Equal(2, result.TrustVector["hardware"]);
        Assert.Empty(result.Findings);
    }

    [Fact]
    public async Task Appraise_DebugEnabled_Contraindicated()
    {
        var result = await AttestationPolicy.Default.AppraiseAsync("snp", SnpClaims(debug: true), await SnpReferenceValues(), CancellationToken.None);

        Assert.Equal(EarStatus.Contraindicated, result.Status);
        Assert.Equal(TrustTiers.Contraindicated, result.TrustVector["configuration"]);
    }

    [Fact]
    public async Task Appraise_WrongMeasurement_Contraindicated()
    {
        var result = await AttestationPolicy.Default.AppraiseAsync("snp", SnpClaims(), await SnpReferenceValues(measurement: "ffff"), CancellationToken.None);

        Assert.Equal(EarStatus.Contraindicated, result.Status);
        Assert.Contains(result.Findings, f => f.Contains("snp_launch_measurement", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Appraise_TcbBelowMinimum_Contraindicated()
    {
        var result = await AttestationPolicy.Default.AppraiseAsync("snp", SnpClaims(), await SnpReferenceValues(microcode: 116), CancellationToken.None);

        Assert.Equal(TrustTiers.Contraindicated, result.TrustVector["hardware"]);
    }

    [Fact]
    public async Task Appraise_NoReferenceValues_Contraindicated()
    {
        var empty = new InMemoryReferenceValueStore(new FakeTimeProvider(Now));

        var result = await AttestationPolicy.Default.AppraiseAsync("snp", SnpClaims(), empty, CancellationToken.None);

        Assert.Equal(EarStatus.Contraindicated, result.Status);
        Assert.Equal(TrustTiers.NoReference, result.TrustVector["executables"]);
    }

    [Fact]
    public async Task Appraise_SampleWithDefaultPolicy_Contraindicated()
    {
        var claims = new JsonObject { ["svn"] = "1", ["launch_digest"] = "abcde" };
        var store = new InMemoryReferenceValueStore(new FakeTimeProvider(Now));

        var result = await AttestationPolicy.Default.AppraiseAsync("sample", claims, store, CancellationToken.None);

        Assert.Equal(EarStatus.Contraindicated, result.Status);
        Assert.Contains(result.Findings, f => f.Contains("not allowed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Appraise_SampleExplicitlyAllowed_Affirming()
    {
        var policy = AttestationPolicy.Parse("""
            {"version":"0.1.0","id":"default","allowed_tees":["sample"],
             "rules":{"sample":[{"claim":"/svn","reference":"sample_svn","match":"min","component":"hardware"}]}}
            """);
        var store = new InMemoryReferenceValueStore(new FakeTimeProvider(Now));
        await store.SetAsync([new ReferenceValue { Name = "sample_svn", Values = [JsonValue.Create(1)!], Expiration = Now.AddDays(1) }], CancellationToken.None);

        var result = await policy.AppraiseAsync("sample", new JsonObject { ["svn"] = "1" }, store, CancellationToken.None);

        Assert.Equal(EarStatus.Affirming, result.Status);
    }

    [Theory]
    [InlineData("{}", "version")]
    [InlineData("""{"version":"0.1.0"}""", "id")]
    [InlineData("""{"version":"0.1.0","id":"x","rules":{"snp":[{"claim":"/a","reference":"r","component":"bogus"}]}}""", "component")]
    [InlineData("""{"version":"0.1.0","id":"x","rules":{"snp":[{"claim":"a","reference":"r","component":"hardware"}]}}""", "claim")]
    [InlineData("""{"version":"0.1.0","id":"x","rules":{"snp":[{"claim":"/a","reference":"r","component":"hardware","match":"like"}]}}""", "match")]
    [InlineData("not json", "JSON")]
    public void Parse_InvalidDocument_NamesTheField(string json, string field)
    {
        var ex = Assert.Throws<PolicyException>(() => AttestationPolicy.Parse(json));

        Assert.Contains(field, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Tier_Ar4siBoundaries_MatchRustEar()
    {
        Assert.Equal(EarStatus.None, TrustTiers.Tier(1));
        Assert.Equal(EarStatus.Affirming, TrustTiers.Tier(2));
        Assert.Equal(EarStatus.Affirming, TrustTiers.Tier(31));
        Assert.Equal(EarStatus.Warning, TrustTiers.Tier(32));
        Assert.Equal(EarStatus.Warning, TrustTiers.Tier(95));
        Assert.Equal(EarStatus.Contraindicated, TrustTiers.Tier(96));
        Assert.Equal(EarStatus.Contraindicated, TrustTiers.Tier(-96));
    }
}
