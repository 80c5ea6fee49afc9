using System.Text.Json;
using System.Text.Json.Nodes;
using PodVm.Attestation.ReferenceValues;

namespace PodVm.Attestation.Policy;

/// <summary>
/// The declarative attestation (appraisal) policy of docs/attestation/policy.md: verifier claims compared with
/// reference values produce an AR4SI trust vector. Defaults deny debug-enabled TEEs, the sample TEE, and anything
/// without reference values.
/// </summary>
public sealed class AttestationPolicy
{
    public const string Version = "0.1.0";

    /// <summary>Claim pointers that mean "debug enabled" when true, for every TEE (extended by the document).</summary>
    public static readonly IReadOnlyList<string> DefaultDebugClaims =
    [
        "/debug_allowed", "/policy_debug_allowed", "/policy/debug_allowed", "/policy/debug",
        "/debug", "/td_attributes/debug", "/tdattributes/debug", "/debug_enabled",
    ];

    private AttestationPolicy(string id, string source)
    {
        Id = id;
        Source = source;
    }

    public string Id { get; }

    /// <summary>The document this policy was read from (stored and returned verbatim).</summary>
    public string Source { get; }

    public IReadOnlyList<string> AllowedTees { get; private init; } = [];

    public bool DenyDebug { get; private init; } = true;

    public bool RequireReferenceValues { get; private init; } = true;

    public IReadOnlyList<string> DebugClaims { get; private init; } = DefaultDebugClaims;

    public IReadOnlyDictionary<string, IReadOnlyList<AppraisalRule>> Rules { get; private init; } =
        new Dictionary<string, IReadOnlyList<AppraisalRule>>(StringComparer.Ordinal);

    /// <summary>The built-in default policy (id "default").</summary>
    public static AttestationPolicy Default { get; } = Parse(DefaultPolicies.AttestationPolicyJson);

    public static AttestationPolicy Parse(string json)
    {
        JsonObject root;
        try
        {
            root = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }) as JsonObject
                ?? throw new PolicyException("attestation policy must be a JSON object");
        }
        catch (JsonException ex)
        {
            throw new PolicyException($"attestation policy is not valid JSON: {ex.Message}", ex);
        }

        var version = (string?)root["version"];
        if (!string.Equals(version, Version, StringComparison.Ordinal))
        {
            throw new PolicyException($"attestation policy 'version' must be \"{Version}\"");
        }

        var id = RequireString(root, "id");
        var rules = new Dictionary<string, IReadOnlyList<AppraisalRule>>(StringComparer.Ordinal);
        if (root["rules"] is JsonObject rulesObj)
        {
            foreach (var (tee, list) in rulesObj)
            {
                if (list is not JsonArray array)
                {
                    throw new PolicyException($"rules.{tee} must be an array");
                }

                rules[tee] = [.. array.Select((r, i) => ParseRule(r, $"rules.{tee}[{i}]"))];
            }
        }
        else if (root["rules"] is not null)
        {
            throw new PolicyException("'rules' must be an object keyed by TEE name");
        }

        return new AttestationPolicy(id, json)
        {
            AllowedTees = StringList(root["allowed_tees"], "allowed_tees") ?? ["snp", "tdx", "tpm", "az-snp-vtpm", "az-tdx-vtpm"],
            DenyDebug = Bool(root["deny_debug"], "deny_debug") ?? true,
            RequireReferenceValues = Bool(root["require_reference_values"], "require_reference_values") ?? true,
            DebugClaims = [.. DefaultDebugClaims.Concat(StringList(root["debug_claims"], "debug_claims") ?? []).Distinct(StringComparer.Ordinal)],
            Rules = rules,
        };
    }

    /// <summary>Appraises verified claims of <paramref name="tee"/> (Trustee TEE name) against reference values.</summary>
    public async ValueTask<AppraisalResult> AppraiseAsync(string tee, JsonObject claims, IReferenceValueStore referenceValues, CancellationToken cancellationToken)
    {
        var vector = new TrustVector();
        var findings = new List<string>();

        if (!AllowedTees.Contains(tee, StringComparer.Ordinal))
        {
            vector.Apply("hardware", TrustTiers.NoReference);
            findings.Add($"TEE '{tee}' is not allowed by policy '{Id}'");
        }

        foreach (var pointer in DebugClaims)
        {
            if (ClaimValues.IsTrue(JsonPointer.Resolve(claims, pointer)))
            {
                vector.Apply("configuration", DenyDebug ? TrustTiers.Contraindicated : TrustTiers.Unrecognized);
                findings.Add($"debug is enabled ({pointer})");
                break;
            }
        }

        if (!Rules.TryGetValue(tee, out var rules) || rules.Count == 0)
        {
            if (RequireReferenceValues)
            {
                vector.Apply("executables", TrustTiers.NoReference);
                findings.Add($"policy '{Id}' has no reference value rules for TEE '{tee}'");
            }

            return new AppraisalResult { PolicyId = Id, TrustVector = vector, Findings = findings };
        }

        foreach (var rule in rules)
        {
            var claim = rule.Claims.Select(p => JsonPointer.Resolve(claims, p)).FirstOrDefault(n => n is not null);
            if (claim is null)
            {
                if (!rule.Optional)
                {
                    vector.Apply(rule.Component, rule.Mismatch);
                    findings.Add($"claim {rule.Claims[0]} is missing ({rule.Component})");
                }

                continue;
            }

            var reference = await referenceValues.GetAsync(rule.Reference, cancellationToken).ConfigureAwait(false);
            if (reference is null || reference.Values.Count == 0)
            {
                if (RequireReferenceValues)
                {
                    vector.Apply(rule.Component, TrustTiers.NoReference);
                    findings.Add($"no reference value '{rule.Reference}' ({rule.Component})");
                }
                else
                {
                    vector.Apply(rule.Component, TrustTiers.Unrecognized);
                }

                continue;
            }

            if (Matches(rule.Match, claim, reference.Values))
            {
                vector.Apply(rule.Component, rule.Affirm);
            }
            else
            {
                vector.Apply(rule.Component, rule.Mismatch);
                findings.Add($"claim {rule.Claims[0]} does not match reference value '{rule.Reference}' ({rule.Component})");
            }
        }

        return new AppraisalResult { PolicyId = Id, TrustVector = vector, Findings = findings };
    }

    private static bool Matches(ReferenceMatch match, JsonNode claim, IReadOnlyList<JsonNode> references)
    {
        switch (match)
        {
            case ReferenceMatch.Min:
            case ReferenceMatch.Max:
                {
                    var value = ClaimValues.AsDecimal(claim);
                    var bounds = references.Select(ClaimValues.AsDecimal).Where(d => d is not null).Select(d => d!.Value).ToList();
                    if (value is null || bounds.Count == 0)
                    {
                        return false;
                    }

                    return match == ReferenceMatch.Min ? value >= bounds.Min() : value <= bounds.Max();
                }

            default:
                {
                    var normalized = ClaimValues.Normalize(claim);
                    return normalized is not null && references.Any(r => string.Equals(ClaimValues.Normalize(r), normalized, StringComparison.Ordinal));
                }
        }
    }

    private static AppraisalRule ParseRule(JsonNode? node, string where)
    {
        if (node is not JsonObject rule)
        {
            throw new PolicyException($"{where} must be an object");
        }

        var claims = rule["claim"] switch
        {
            JsonValue v when v.TryGetValue<string>(out var s) => [s],
            JsonArray a => StringList(a, $"{where}.claim")!,
            _ => throw new PolicyException($"{where}.claim must be a JSON pointer or an array of them"),
        };
        if (claims.Count == 0 || claims.Any(c => c.Length > 0 && c[0] != '/'))
        {
            throw new PolicyException($"{where}.claim must hold JSON pointers starting with '/'");
        }

        var component = RequireString(rule, "component", where);
        if (!TrustVector.IsComponent(component))
        {
            throw new PolicyException($"{where}.component '{component}' is not an AR4SI claim ({string.Join(", ", TrustVector.Components)})");
        }

        var match = (string?)rule["match"] switch
        {
            null or "in" or "eq" => ReferenceMatch.In,
            "min" => ReferenceMatch.Min,
            "max" => ReferenceMatch.Max,
            var m => throw new PolicyException($"{where}.match '{m}' must be in, eq, min or max"),
        };

        return new AppraisalRule
        {
            Claims = claims,
            Reference = RequireString(rule, "reference", where),
            Component = component,
            Match = match,
            Affirm = Int(rule["affirm"], $"{where}.affirm") ?? TrustTiers.Approved,
            Mismatch = Int(rule["mismatch"], $"{where}.mismatch") ?? TrustTiers.Contraindicated,
            Optional = Bool(rule["optional"], $"{where}.optional") ?? false,
        };
    }

    internal static string RequireString(JsonObject obj, string name, string where = "")
    {
        if (obj[name] is JsonValue v && v.TryGetValue<string>(out var s) && s.Length > 0)
        {
            return s;
        }

        throw new PolicyException($"{(where.Length == 0 ? "" : where + ".")}{name} must be a non-empty string");
    }

    internal static List<string>? StringList(JsonNode? node, string name)
    {
        if (node is null)
        {
            return null;
        }

        if (node is not JsonArray array)
        {
            throw new PolicyException($"{name} must be an array of strings");
        }

        var list = new List<string>(array.Count);
        foreach (var item in array)
        {
            if (item is not JsonValue v || !v.TryGetValue<string>(out var s))
            {
                throw new PolicyException($"{name} must be an array of strings");
            }

            list.Add(s);
        }

        return list;
    }

    internal static bool? Bool(JsonNode? node, string name) => node switch
    {
        null => null,
        JsonValue v when v.TryGetValue<bool>(out var b) => b,
        _ => throw new PolicyException($"{name} must be true or false"),
    };

    private static int? Int(JsonNode? node, string name) => node switch
    {
        null => null,
        JsonValue v when v.TryGetValue<int>(out var i) && i is >= -128 and <= 127 => i,
        _ => throw new PolicyException($"{name} must be an integer from -128 to 127"),
    };
}
