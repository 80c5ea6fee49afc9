using System.Text.Json.Nodes;

namespace PodVm.Attestation.Policy;

/// <summary>Readers for the EAR token claims layout Trustee uses (submods/cpu0/ear.veraison.annotated-evidence/…).</summary>
public static class EarClaims
{
    public const string AnnotatedEvidence = "ear.veraison.annotated-evidence";

    private static readonly HashSet<string> NonTeeKeys = new(StringComparer.Ordinal)
    {
        "init_data", "init_data_claims", "report_data", "runtime_data_claims",
    };

    public static JsonObject? Submods(JsonObject claims) => claims["submods"] as JsonObject;

    /// <summary>The TEE names of the annotated evidence of every submod (e.g. "snp", "sample").</summary>
    public static IEnumerable<string> TeeNames(JsonObject claims)
    {
        if (Submods(claims) is not { } submods)
        {
            yield break;
        }

        foreach (var (_, submod) in submods)
        {
            if (submod?[AnnotatedEvidence] is JsonObject evidence)
            {
                foreach (var (key, _) in evidence)
                {
                    if (!NonTeeKeys.Contains(key))
                    {
                        yield return key;
                    }
                }
            }
        }
    }

    /// <summary>The worst ear.status over all submods; contraindicated when there are none or one is unreadable.</summary>
    public static EarStatus WorstStatus(JsonObject claims)
    {
        if (Submods(claims) is not { Count: > 0 } submods)
        {
            return EarStatus.Contraindicated;
        }

        var worst = EarStatus.None;
        foreach (var (_, submod) in submods)
        {
            var status = TrustTiers.Parse((string?)submod?["ear.status"]);
            if (status is null)
            {
                return EarStatus.Contraindicated;
            }

            worst = status.Value > worst ? status.Value : worst;
        }

        return worst;
    }

    /// <summary>The TEE public key bound by the runtime data (Trustee's pointer, then Intel Trust Authority's).</summary>
    public static JsonObject? TeePublicKey(JsonObject claims) =>
        JsonPointer.Resolve(claims, "/submods/cpu0/" + AnnotatedEvidence + "/runtime_data_claims/tee-pubkey") as JsonObject
        ?? JsonPointer.Resolve(claims, "/tdx/attester_runtime_data/tee-pubkey") as JsonObject;
}
