using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using PodVm.Attestation.Policy;
using PodVm.Attestation.ReferenceValues;
using PodVm.Attestation.Verification;

namespace PodVm.Attestation.Kbs;

/// <summary>
/// The local attestation service: runs the TEE's verifier with the expected binding, appraises the claims with the
/// attestation policy against reference values, and issues the EAR token (Trustee's claims layout).
/// </summary>
public sealed partial class AttestationEvaluator : IAttestationService
{
    private readonly Dictionary<TeeType, IEvidenceVerifier> _verifiers;
    private readonly IReferenceValueStore _referenceValues;
    private readonly IPolicyStore _policies;
    private readonly EarTokenIssuer _issuer;
    private readonly ConcurrentDictionary<string, AttestationPolicy> _parsed = new(StringComparer.Ordinal);

    public AttestationEvaluator(IEnumerable<IEvidenceVerifier> verifiers, IReferenceValueStore referenceValues, IPolicyStore policies, EarTokenIssuer issuer)
    {
        _verifiers = [];
        // The first verifier registered for a TEE wins (hosts register overrides before their defaults).
        foreach (var v in verifiers)
        {
            _verifiers.TryAdd(v.Tee, v);
        }

        _referenceValues = referenceValues;
        _policies = policies;
        _issuer = issuer;
    }

    public async ValueTask<AttestationOutcome> EvaluateAsync(AttestationEvaluationRequest request, CancellationToken cancellationToken)
    {
        var teeType = TeeNames.Parse(request.Tee);
        if (teeType is null || !_verifiers.TryGetValue(teeType.Value, out var verifier))
        {
            throw new KbsException(KbsErrorKind.RcarAttestFailed, $"no verifier is configured for TEE '{request.Tee}'");
        }

        var runtimeDigest = request.StructuredRuntimeData is { } structured
            ? RuntimeDataBinding.Digest(structured, request.RuntimeDataHashAlgorithm)
            : RuntimeDataBinding.Hash(request.RawRuntimeData.Span, request.RuntimeDataHashAlgorithm);

        byte[] initDigest = [];
        if (!request.InitData.IsEmpty)
        {
            initDigest = RuntimeDataBinding.Hash(request.InitData.Span, request.InitDataHashAlgorithm ?? InitDataAlgorithm(request.InitData.Span));
        }

        var result = await verifier.VerifyAsync(
            new EvidenceToVerify
            {
                Evidence = request.Evidence,
                ParsedJson = request.ParsedEvidence,
                ExpectedReportData = RuntimeDataBinding.ToReportData(runtimeDigest),
                ExpectedInitDataDigest = initDigest,
            },
            cancellationToken).ConfigureAwait(false);
        if (!result.IsVerified)
        {
            throw new KbsException(KbsErrorKind.RcarAttestFailed, $"verify TEE evidence failed: {result.Failure}");
        }

        AppraisalInputs inputs;
        if (_policies is IAppraisalInputSource source && ReferenceEquals(source, _referenceValues))
        {
            // One store round trip for the policy and every reference value it reads (the store validates its cache).
            inputs = await source.GetAppraisalInputsAsync(request.PolicyId, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            inputs = new AppraisalInputs(await _policies.GetAttestationPolicyAsync(request.PolicyId, cancellationToken).ConfigureAwait(false), _referenceValues);
        }

        var policy = GetPolicy(request.PolicyId, inputs.PolicyDocument);
        var appraisal = await policy.AppraiseAsync(request.Tee, result.Claims, inputs.ReferenceValues, cancellationToken).ConfigureAwait(false);

        var annotated = new JsonObject
        {
            // The verifier's claims object is this evaluation's own (read by the appraisal only): it moves into the
            // token's tree instead of being copied; a claims object already in a tree is copied as before.
            [request.Tee] = result.Claims.Parent is null ? result.Claims : result.Claims.DeepClone(),
            ["report_data"] = Convert.ToHexStringLower(runtimeDigest),
        };
        if (request.StructuredRuntimeData is { } rd)
        {
            var echoed = (JsonObject)rd.DeepClone();
            echoed.Remove("additional-evidence");
            annotated["runtime_data_claims"] = echoed;
        }

        if (initDigest.Length > 0)
        {
            annotated["init_data"] = Convert.ToHexStringLower(initDigest);
        }

        var submod = new JsonObject
        {
            ["ear.status"] = TrustTiers.Name(appraisal.Status),
            ["ear.trustworthiness-vector"] = appraisal.TrustVector.ToJson(),
            ["ear.appraisal-policy-id"] = appraisal.PolicyId,
            [EarClaims.AnnotatedEvidence] = annotated,
        };
        var claims = new JsonObject { ["submods"] = new JsonObject { [request.TeeClass + "0"] = submod } };
        return new AttestationOutcome(_issuer.Issue(claims), appraisal);
    }

    public async ValueTask SetPolicyAsync(string policyId, string document, CancellationToken cancellationToken)
    {
        var parsed = AttestationPolicy.Parse(document);
        if (!string.Equals(parsed.Id, policyId, StringComparison.Ordinal))
        {
            throw new PolicyException($"policy id '{parsed.Id}' in the document differs from '{policyId}'");
        }

        await _policies.SetAttestationPolicyAsync(policyId, document, cancellationToken).ConfigureAwait(false);
    }

    private AttestationPolicy GetPolicy(string policyId, string? document)
    {
        if (document is null)
        {
            return string.Equals(policyId, "default", StringComparison.Ordinal)
                ? AttestationPolicy.Default
                : throw new KbsException(KbsErrorKind.RcarAttestFailed, $"attestation policy '{policyId}' does not exist");
        }

        if (_parsed.TryGetValue(document, out var cached))
        {
            return cached;
        }

        var parsed = AttestationPolicy.Parse(document);
        if (_parsed.Count > 64)
        {
            _parsed.Clear();
        }

        _parsed[document] = parsed;
        return parsed;
    }

    /// <summary>The initdata TOML's top-level <c>algorithm = "…"</c>, sha384 when absent.</summary>
    public static string InitDataAlgorithm(ReadOnlySpan<byte> toml)
    {
        var match = AlgorithmLine().Match(Encoding.UTF8.GetString(toml));
        return match.Success ? match.Groups[1].Value : "sha384";
    }

    [GeneratedRegex("""^\s*algorithm\s*=\s*["'](sha256|sha384|sha512)["']""", RegexOptions.Multiline, 1000)]
    private static partial Regex AlgorithmLine();
}
