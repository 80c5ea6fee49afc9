using System.Text.Json;
using System.Text.Json.Nodes;
using PodVm.Attester.Kbs;
using KbsSide = PodVm.Attestation.Kbs;

namespace PodVm.Attester.Tests.Kbs;

public sealed class RcarBindingTests
{
    [Fact]
    public void ReportData_SyntheticVector_MatchesTheExpectedSnpReportData()
    {
        using var vector = JsonDocument.Parse(TestVectors.Text("synthetic/kbs-rcar-binding-and-jwe.SYNTHETIC.json"));
        var root = vector.RootElement;
        var jwk = root.GetProperty("tee_pubkey_jwk");
        var key = new TeeJwk { Kty = jwk.GetProperty("kty").GetString()!, Crv = jwk.GetProperty("crv").GetString()!, Alg = jwk.GetProperty("alg").GetString()!, X = jwk.GetProperty("x").GetString()!, Y = jwk.GetProperty("y").GetString()! };
        var nonce = root.GetProperty("nonce").GetString()!;

        Assert.Equal(root.GetProperty("runtime_data_jcs").GetString(), RcarBinding.CanonicalRuntimeData(nonce, key));
        Assert.Equal(root.GetProperty("snp_report_data_expected").GetString(), Convert.ToHexStringLower(RcarBinding.ReportData(nonce, key)));
    }

    [Fact]
    public void ReportData_FreshKey_EqualsWhatTheKbsExpects()
    {
        using var pair = TeeKeyPair.Create();
        const string nonce = "n\"o\\nce\u0001é";

        var kbsKey = KbsSide.TeePublicKey.Parse(JsonNode.Parse(JsonSerializer.Serialize(pair.Jwk, AttesterJsonContext.Default.TeeJwk)));
        var expected = KbsSide.RuntimeDataBinding.ToReportData(KbsSide.RuntimeDataBinding.Digest(KbsSide.RuntimeDataBinding.Build(nonce, kbsKey.Jwk, "")));

        Assert.Equal(expected, RcarBinding.ReportData(nonce, pair.Jwk));
    }
}
