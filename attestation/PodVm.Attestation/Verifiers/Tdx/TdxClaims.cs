using System.Text.Json.Nodes;
using PodVm.Attestation.Verifiers.Common;

namespace PodVm.Attestation.Verifiers.Tdx;

/// <summary>The claims of a verified TDX quote, snake_case after the TD report's field names.</summary>
internal static class TdxClaims
{
    public static JsonObject Build(TdxQuote quote, PckCertificateExtensions pck, TdxTcbEvaluation evaluation)
    {
        var attributes = quote.TdAttributes;
        bool Bit(int bit) => ((attributes >> bit) & 1) != 0;
        var claims = new JsonObject
        {
            ["quote_version"] = (int)quote.Version,
            ["tee_tcb_svn"] = Hex.Of(quote.TeeTcbSvn),
            ["mr_seam"] = Hex.Of(quote.MrSeam),
            ["mrsigner_seam"] = Hex.Of(quote.MrSignerSeam),
            ["seam_attributes"] = Hex.Of(quote.SeamAttributes),
            ["td_attributes"] = Hex.Of(quote.TdAttributesBytes),
            ["td_attributes_parsed"] = new JsonObject
            {
                ["debug"] = Bit(0),
                ["septve_disable"] = Bit(28),
                ["protection_keys"] = Bit(30),
                ["key_locker"] = Bit(31),
                ["perfmon"] = Bit(63),
            },
            ["xfam"] = Hex.Of(quote.Xfam),
            ["mr_td"] = Hex.Of(quote.MrTd),
            ["mr_config_id"] = Hex.Of(quote.MrConfigId),
            ["mr_owner"] = Hex.Of(quote.MrOwner),
            ["mr_owner_config"] = Hex.Of(quote.MrOwnerConfig),
            ["rtmr0"] = Hex.Of(quote.Rtmr(0)),
            ["rtmr1"] = Hex.Of(quote.Rtmr(1)),
            ["rtmr2"] = Hex.Of(quote.Rtmr(2)),
            ["rtmr3"] = Hex.Of(quote.Rtmr(3)),
            ["report_data"] = Hex.Of(quote.ReportData),
            ["fmspc"] = TdxQuoteVerifier.Fmspc(pck),
            ["pce_id"] = Hex.Of(pck.PceId),
        };
        if (quote.BodyType == 3)
        {
            claims["tee_tcb_svn2"] = Hex.Of(quote.Body.AsSpan(584, 16));
            claims["mr_servicetd"] = Hex.Of(quote.Body.AsSpan(600, 48));
        }

        foreach (var (name, value) in evaluation.ToJson())
        {
            claims[name] = value?.DeepClone();
        }

        return claims;
    }
}
