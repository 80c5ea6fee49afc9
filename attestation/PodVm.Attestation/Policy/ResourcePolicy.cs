using System.Text.Json;
using System.Text.Json.Nodes;

namespace PodVm.Attestation.Policy;

/// <summary>
/// The declarative resource policy of docs/attestation/policy.md: which resource paths an attestation result may
/// receive. Deny rules win over allow rules; no matching allow rule means deny.
/// </summary>
public sealed class ResourcePolicy
{
    public const string Version = "0.1.0";

    private ResourcePolicy(string source, IReadOnlyList<ResourceRule> rules)
    {
        Source = source;
        Rules = rules;
    }

    public string Source { get; }

    public IReadOnlyList<ResourceRule> Rules { get; }

    public static ResourcePolicy Default { get; } = Parse(DefaultPolicies.ResourcePolicyJson);

    public static ResourcePolicy Parse(string json)
    {
        JsonObject root;
        try
        {
            root = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }) as JsonObject
                ?? throw new PolicyException("resource policy must be a JSON object");
        }
        catch (JsonException ex)
        {
            throw new PolicyException($"resource policy is not valid JSON: {ex.Message}", ex);
        }

        if (!string.Equals((string?)root["version"], Version, StringComparison.Ordinal))
        {
            throw new PolicyException($"resource policy 'version' must be \"{Version}\"");
        }

        if (root["rules"] is not JsonArray rules)
        {
            throw new PolicyException("resource policy needs a 'rules' array");
        }

        return new ResourcePolicy(json, [.. rules.Select((r, i) => ParseRule(r, $"rules[{i}]"))]);
    }

    /// <summary>Decides whether the holder of <paramref name="earClaims"/> may read <paramref name="path"/> (repo/type/tag).</summary>
    public ResourceDecision Evaluate(JsonObject earClaims, IReadOnlyList<string> path)
    {
        for (var i = 0; i < Rules.Count; i++)
        {
            if (!Rules[i].Allow && Applies(Rules[i], earClaims, path))
            {
                return new ResourceDecision(false, $"denied by rules[{i}]");
            }
        }

        for (var i = 0; i < Rules.Count; i++)
        {
            if (Rules[i].Allow && Applies(Rules[i], earClaims, path))
            {
                return new ResourceDecision(true, $"allowed by rules[{i}]");
            }
        }

        return new ResourceDecision(false, "no allow rule matches");
    }

    private static bool Applies(ResourceRule rule, JsonObject claims, IReadOnlyList<string> path)
    {
        if (!rule.Paths.Any(p => PathMatches(p, path)))
        {
            return false;
        }

        if (rule.Tees is { } tees && !EarClaims.TeeNames(claims).Any(t => tees.Contains(t, StringComparer.Ordinal)))
        {
            return false;
        }

        if (rule.Status is { } status)
        {
            // "none" (no claim) is never good enough for a rule that asks for a real tier.
            var worst = EarClaims.WorstStatus(claims);
            if (worst > status || (worst == EarStatus.None && status != EarStatus.None))
            {
                return false;
            }
        }

        foreach (var (pointer, allowed) in rule.Claims)
        {
            var value = ClaimValues.Normalize(JsonPointer.Resolve(claims, pointer));
            if (value is null || !allowed.Any(a => string.Equals(ClaimValues.Normalize(a), value, StringComparison.Ordinal)))
            {
                return false;
            }
        }

        return true;
    }

    private static bool PathMatches(string pattern, IReadOnlyList<string> path)
    {
        var parts = pattern.Split('/');
        if (parts.Length != path.Count)
        {
            return false;
        }

        for (var i = 0; i < parts.Length; i++)
        {
            var p = parts[i];
            var ok = p == "*"
                || (p.EndsWith('*') && path[i].StartsWith(p[..^1], StringComparison.Ordinal))
                || string.Equals(p, path[i], StringComparison.Ordinal);
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    private static ResourceRule ParseRule(JsonNode? node, string where)
    {
        if (node is not JsonObject rule)
        {
            throw new PolicyException($"{where} must be an object");
        }

        var allow = (string?)rule["effect"] switch
        {
            "allow" => true,
            "deny" => false,
            var e => throw new PolicyException($"{where}.effect '{e}' must be allow or deny"),
        };
        var paths = AttestationPolicy.StringList(rule["paths"], $"{where}.paths") ?? throw new PolicyException($"{where}.paths is required");
        if (paths.Any(p => p.Split('/').Length != 3))
        {
            throw new PolicyException($"{where}.paths entries must have three segments repo/type/tag");
        }

        EarStatus? status = null;
        if (rule["status"] is not null)
        {
            status = TrustTiers.Parse((string?)rule["status"]) ?? throw new PolicyException($"{where}.status must be affirming, warning, contraindicated or none");
        }

        var claims = new Dictionary<string, IReadOnlyList<JsonNode>>(StringComparer.Ordinal);
        if (rule["claims"] is JsonObject claimObj)
        {
            foreach (var (pointer, value) in claimObj)
            {
                if (!pointer.StartsWith('/'))
                {
                    throw new PolicyException($"{where}.claims keys must be JSON pointers");
                }

                claims[pointer] = value switch
                {
                    JsonArray a => [.. a.Where(n => n is not null).Select(n => n!.DeepClone())],
                    JsonNode n => [n.DeepClone()],
                    null => throw new PolicyException($"{where}.claims['{pointer}'] must not be null"),
                };
            }
        }

        return new ResourceRule
        {
            Allow = allow,
            Paths = paths,
            Tees = AttestationPolicy.StringList(rule["tees"], $"{where}.tees"),
            Status = status,
            Claims = claims,
        };
    }
}
