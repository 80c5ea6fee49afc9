using System.Text.Json.Nodes;
using PodVm.Attestation.Policy;

namespace PodVm.Attestation.Tests.Policy;

public sealed class ResourcePolicyTests
{
    private static JsonObject Ear(string tee, string status) => new()
    {
        ["submods"] = new JsonObject
        {
            ["cpu0"] = new JsonObject
            {
                ["ear.status"] = status,
                ["ear.veraison.annotated-evidence"] = new JsonObject
                {
                    [tee] = new JsonObject { ["svn"] = "1" },
                    ["init_data_claims"] = new JsonObject { ["team"] = "blue" },
                },
            },
        },
    };

    [Fact]
    public void Evaluate_DefaultAffirmingSnp_Allowed()
    {
        Assert.True(ResourcePolicy.Default.Evaluate(Ear("snp", "affirming"), ["default", "key", "1"]).Allowed);
    }

    [Fact]
    public void Evaluate_DefaultAffirmingSample_Denied()
    {
        var decision = ResourcePolicy.Default.Evaluate(Ear("sample", "affirming"), ["default", "key", "1"]);

        Assert.False(decision.Allowed);
        Assert.Equal("denied by rules[0]", decision.Reason);
    }

    [Theory]
    [InlineData("warning")]
    [InlineData("contraindicated")]
    [InlineData("none")]
    public void Evaluate_DefaultNotAffirming_Denied(string status)
    {
        Assert.False(ResourcePolicy.Default.Evaluate(Ear("snp", status), ["default", "key", "1"]).Allowed);
    }

    [Fact]
    public void Evaluate_NoSubmods_Denied()
    {
        Assert.False(ResourcePolicy.Default.Evaluate(new JsonObject(), ["default", "key", "1"]).Allowed);
    }

    [Fact]
    public void Evaluate_PathAndClaimConditions_OnlyMatchingPathsAllowed()
    {
        var policy = ResourcePolicy.Parse("""
            {"version":"0.1.0","rules":[
              {"effect":"allow","paths":["blue/key*/*"],"status":"affirming",
               "claims":{"/submods/cpu0/ear.veraison.annotated-evidence/init_data_claims/team":"blue"}}]}
            """);

        Assert.True(policy.Evaluate(Ear("snp", "affirming"), ["blue", "keys", "1"]).Allowed);
        Assert.False(policy.Evaluate(Ear("snp", "affirming"), ["red", "keys", "1"]).Allowed);
        Assert.False(policy.Evaluate(Ear("snp", "affirming"), ["blue", "cert", "1"]).Allowed);
    }

    [Theory]
    [InlineData("""{"version":"0.1.0"}""", "rules")]
    [InlineData("""{"version":"0.1.0","rules":[{"effect":"maybe","paths":["*/*/*"]}]}""", "effect")]
    [InlineData("""{"version":"0.1.0","rules":[{"effect":"allow","paths":["a/b"]}]}""", "paths")]
    [InlineData("""{"version":"0.1.0","rules":[{"effect":"allow","paths":["*/*/*"],"status":"great"}]}""", "status")]
    public void Parse_InvalidDocument_NamesTheField(string json, string field)
    {
        var ex = Assert.Throws<PolicyException>(() => ResourcePolicy.Parse(json));

        Assert.Contains(field, ex.Message, StringComparison.Ordinal);
    }
}
