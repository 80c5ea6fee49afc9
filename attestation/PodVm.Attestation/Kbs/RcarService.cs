using System.Buffers;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using PodVm.Attestation.Policy;
using PodVm.Attestation.Verification;
using PodVm.Attestation.Verifiers.Common;

namespace PodVm.Attestation.Kbs;

/// <summary>
/// The Trustee KBS protocol 0.4.0 (RCAR) without HTTP: /auth issues a 32-byte nonce in a sealed session,
/// /attest checks the nonce, consumes it once, binds runtime data (JCS + SHA-384) and returns the EAR token,
/// /resource releases a resource as a JWE to the token's tee-pubkey when the resource policy allows it.
/// Sessions live in the sealed cookie, so any replica with the same session key continues them.
/// </summary>
public sealed class RcarService
{
    public const string ProtocolVersion = "0.4.0";
    public const string SessionCookieName = "kbs-session-id";

    /// <summary>Request bodies larger than this are refused (evidence with certificate chains fits easily).</summary>
    public const int MaxBodyBytes = 1024 * 1024;

    private readonly IAttestationService _attestation;
    private readonly EarTokenVerifier _tokenVerifier;
    private readonly SessionSealer _sealer;
    private readonly INonceLedger _nonces;
    private readonly IResourceStore _resources;
    private readonly IPolicyStore _policies;
    private readonly TimeProvider _time;
    private static readonly SearchValues<char> TokenChars = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.");
    private readonly ConcurrentDictionary<string, ResourcePolicy> _resourcePolicies = new(StringComparer.Ordinal);

    public RcarService(
        IAttestationService attestation,
        EarTokenVerifier tokenVerifier,
        SessionSealer sealer,
        INonceLedger nonces,
        IResourceStore resources,
        IPolicyStore policies,
        TimeProvider timeProvider,
        TimeSpan sessionTimeout)
    {
        _attestation = attestation;
        _tokenVerifier = tokenVerifier;
        _sealer = sealer;
        _nonces = nonces;
        _resources = resources;
        _policies = policies;
        _time = timeProvider;
        SessionTimeout = sessionTimeout;
    }

    public TimeSpan SessionTimeout { get; }

    /// <summary>POST /kbs/v0/auth with a kbs-types Request.</summary>
    public RcarResponse Auth(ReadOnlySpan<byte> body)
    {
        var request = ParseObject(body, KbsErrorKind.RcarAuthFailed, "Request");
        var version = StringOf(request["version"]);
        if (!string.Equals(version, ProtocolVersion, StringComparison.Ordinal))
        {
            throw new KbsException(KbsErrorKind.RcarAuthFailed, $"KBS Client Protocol Version Mismatch: expect ={ProtocolVersion} while the request is {version}");
        }

        var tee = StringOf(request["tee"]);
        if (tee is null || !TeeNames.Known.Contains(tee))
        {
            throw new KbsException(KbsErrorKind.RcarAuthFailed, $"deserialize Request: unknown tee '{tee}'");
        }

        var nonce = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var expires = _time.GetUtcNow() + SessionTimeout;
        var state = new SessionState
        {
            Id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)),
            Tee = tee,
            Nonce = nonce,
            ExpiresAtUnixSeconds = expires.ToUnixTimeSeconds(),
        };
        var challenge = new JsonObject { ["nonce"] = nonce, ["extra-params"] = "" };
        return new RcarResponse(challenge.ToJsonString(JsonText.Compact), _sealer.Seal(state), expires);
    }

    /// <summary>POST /kbs/v0/attest with the session cookie and a kbs-types Attestation.</summary>
    public async ValueTask<(RcarResponse Response, AppraisalResult? Appraisal, string Tee)> AttestAsync(string? cookie, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        if (cookie is null)
        {
            throw new KbsException(KbsErrorKind.RcarAttestFailed, "cookie not found");
        }

        var session = _sealer.Unseal(cookie) ?? throw new KbsException(KbsErrorKind.RcarAttestFailed, "No cookie found");
        var expires = DateTimeOffset.FromUnixTimeSeconds(session.ExpiresAtUnixSeconds);
        if (_time.GetUtcNow() >= expires)
        {
            throw new KbsException(KbsErrorKind.RcarAttestFailed, "session expired.");
        }

        if (session.Token is not null)
        {
            return (new RcarResponse(TokenBody(session.Token), cookie, expires), null, session.Tee);
        }

        // One parse of the body, read as elements: the primary evidence (the bulk of the body, e.g. 6.7 KB of SnpEvidence
        // JSON) goes to the verifier as its own bytes. Every object of the envelope is checked for duplicate members
        // (serde refuses them in Trustee; a duplicate must not choose which value is read). The numbers of long byte
        // arrays (the SNP report and VCEK) are not tokenized by this parse (MaskedJsonDocument); the verifier reads them
        // from the text.
        using var document = ParseDocument(body, KbsErrorKind.RcarAttestFailed, "Attestation");
        var attestation = document.RootElement;
        if (attestation.ValueKind != JsonValueKind.Object)
        {
            throw new KbsException(KbsErrorKind.RcarAttestFailed, "deserialize Attestation: not a JSON object");
        }

        RequireUniqueMembers(attestation, "Attestation");
        if (!attestation.TryGetProperty("runtime-data", out var runtimeData) || runtimeData.ValueKind != JsonValueKind.Object)
        {
            throw new KbsException(KbsErrorKind.RcarAttestFailed, "deserialize Attestation: missing runtime-data");
        }

        RequireUniqueMembers(runtimeData, "runtime-data");
        if (!string.Equals(OptionalString(runtimeData, "nonce"), session.Nonce, StringComparison.Ordinal))
        {
            throw new KbsException(KbsErrorKind.RcarAttestFailed, "the nonce in the handshake session is different from the client side in KBS protocol's Attestation message");
        }

        JsonObject? teeKeyNode = null;
        if (runtimeData.TryGetProperty("tee-pubkey", out var teeKeyElement) && teeKeyElement.ValueKind == JsonValueKind.Object)
        {
            RequireUniqueMembers(teeKeyElement, "runtime-data.tee-pubkey");
            teeKeyNode = JsonObject.Create(teeKeyElement);
        }

        var teeKey = TeePublicKey.Parse(teeKeyNode);
        if (!attestation.TryGetProperty("tee-evidence", out var teeEvidence) || teeEvidence.ValueKind != JsonValueKind.Object)
        {
            throw new KbsException(KbsErrorKind.RcarAttestFailed, "deserialize Attestation: missing tee-evidence.primary_evidence");
        }

        RequireUniqueMembers(teeEvidence, "tee-evidence");
        if (!teeEvidence.TryGetProperty("primary_evidence", out var primaryEvidence) || primaryEvidence.ValueKind == JsonValueKind.Null)
        {
            throw new KbsException(KbsErrorKind.RcarAttestFailed, "deserialize Attestation: missing tee-evidence.primary_evidence");
        }

        var additional = teeEvidence.TryGetProperty("additional_evidence", out var additionalElement) ? additionalElement.ValueKind switch
        {
            JsonValueKind.Null => "",
            JsonValueKind.String => additionalElement.GetString()!,
            _ => throw new KbsException(KbsErrorKind.RcarAttestFailed, "deserialize Attestation: additional_evidence must be a string"),
        }
        : "";
        if (additional.Length > 0)
        {
            throw new KbsException(KbsErrorKind.RcarAttestFailed, "additional (device) evidence is not supported by this KBS");
        }

        byte[] initData = [];
        if (attestation.TryGetProperty("init-data", out var init) && init.ValueKind == JsonValueKind.Object)
        {
            RequireUniqueMembers(init, "init-data");
            if (!string.Equals(OptionalString(init, "format"), "toml", StringComparison.Ordinal) || OptionalString(init, "body") is not { } initBody)
            {
                throw new KbsException(KbsErrorKind.RcarAttestFailed, "init-data must be {\"format\":\"toml\",\"body\":…}");
            }

            initData = Encoding.UTF8.GetBytes(initBody);
        }

        // One attestation per nonce, across replicas (the ledger is shared): replayed evidence is refused.
        if (!await _nonces.TryConsumeAsync(session.Nonce, expires, cancellationToken).ConfigureAwait(false))
        {
            throw new KbsException(KbsErrorKind.RcarAttestFailed, "the challenge nonce was already used");
        }

        var outcome = await _attestation.EvaluateAsync(
            new AttestationEvaluationRequest
            {
                Tee = session.Tee,
                Evidence = CompactJson.Of(document, primaryEvidence),
                ParsedEvidence = new ParsedJsonEvidence(document, primaryEvidence),
                StructuredRuntimeData = RuntimeDataBinding.Build(session.Nonce, teeKey.Jwk, additional),
                RuntimeDataHashAlgorithm = string.Equals(session.Tee, "se", StringComparison.Ordinal) ? "sha512" : "sha384",
                InitData = initData,
            },
            cancellationToken).ConfigureAwait(false);

        var attested = session with { Token = outcome.Token };
        return (new RcarResponse(TokenBody(outcome.Token), _sealer.Seal(attested), expires), outcome.Appraisal, session.Tee);
    }

    /// <summary>GET /kbs/v0/resource/{repo}/{type}/{tag}: the token from the session cookie, else the Bearer.</summary>
    public async ValueTask<string> GetResourceAsync(string? cookie, string? bearer, IReadOnlyList<string> path, CancellationToken cancellationToken)
    {
        ValidatePath(path);
        string? token = null;
        if (_sealer.Unseal(cookie) is { Token: { } sessionToken } session
            && _time.GetUtcNow() < DateTimeOffset.FromUnixTimeSeconds(session.ExpiresAtUnixSeconds))
        {
            token = sessionToken;
        }

        token ??= bearer;
        if (string.IsNullOrEmpty(token))
        {
            throw new KbsException(KbsErrorKind.TokenNotFound, "no attested session and no Bearer token");
        }

        var claims = _tokenVerifier.Verify(token);
        var policy = await GetResourcePolicyAsync(cancellationToken).ConfigureAwait(false);
        var decision = policy.Evaluate(claims, path);
        if (!decision.Allowed)
        {
            throw new KbsException(KbsErrorKind.PolicyDeny, decision.Reason);
        }

        var teeKey = EarClaims.TeePublicKey(claims) ?? throw new KbsException(KbsErrorKind.TokenVerifierError, "no tee-pubkey in the token");
        // The point is checked once, by the JWE's import of it (same refusal as Parse's own check).
        var key = TeePublicKey.Parse(teeKey, checkPoint: false);
        var value = await _resources.GetResourceAsync(string.Join('/', path), cancellationToken).ConfigureAwait(false)
            ?? throw new KbsException(KbsErrorKind.PluginInternalError, "Plugin internal error: resource not found");
        try
        {
            return KbsJwe.Encrypt(value, key).ToJsonString(JsonText.Compact);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(value);
        }
    }

    public async ValueTask<ResourcePolicy> GetResourcePolicyAsync(CancellationToken cancellationToken)
    {
        var document = await _policies.GetResourcePolicyAsync(cancellationToken).ConfigureAwait(false);
        if (document is null)
        {
            return ResourcePolicy.Default;
        }

        if (_resourcePolicies.TryGetValue(document, out var cached))
        {
            return cached;
        }

        var parsed = ResourcePolicy.Parse(document);
        if (_resourcePolicies.Count > 16)
        {
            _resourcePolicies.Clear();
        }

        _resourcePolicies[document] = parsed;
        return parsed;
    }

    /// <summary>Resource path segments: 3 of them, each 1..128 of [A-Za-z0-9._-], not "." or "..".</summary>
    public static void ValidatePath(IReadOnlyList<string> path)
    {
        var ok = path.Count == 3 && path.All(s => s.Length is > 0 and <= 128
            && s != "." && s != ".."
            && s.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'));
        if (!ok)
        {
            throw new KbsException(KbsErrorKind.InvalidRequestPath, "/resource/" + string.Join('/', path.Select(s => s.Length > 64 ? s[..64] : s)));
        }
    }

    /// <summary>{"token":…}; a token of base64url parts (every JWS) needs no escaping and is written as it is.</summary>
    private static string TokenBody(string token) =>
        token.AsSpan().ContainsAnyExcept(TokenChars)
            ? new JsonObject { ["token"] = token }.ToJsonString(JsonText.Compact)
            : "{\"token\":\"" + token + "\"}";

    /// <summary>Refuses an object of the envelope with a member twice (as serde does in Trustee), naming the member.</summary>
    private static void RequireUniqueMembers(JsonElement element, string where)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var member in element.EnumerateObject())
        {
            if (!names.Add(member.Name))
            {
                var name = member.Name.Length > 64 ? member.Name[..64] : member.Name;
                throw new KbsException(KbsErrorKind.RcarAttestFailed, $"deserialize Attestation: duplicate field `{name}` in {where}");
            }
        }
    }

    private static string? StringOf(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    /// <summary>The member's string value; null when it is missing or not a string.</summary>
    private static string? OptionalString(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static MaskedJsonDocument ParseDocument(ReadOnlyMemory<byte> body, KbsErrorKind kind, string what)
    {
        if (body.Length > MaxBodyBytes)
        {
            throw new KbsException(kind, $"deserialize {what}: body larger than {MaxBodyBytes} bytes");
        }

        try
        {
            return MaskedJsonDocument.Parse(body);
        }
        catch (JsonException ex)
        {
            throw new KbsException(kind, $"deserialize {what}: {ex.Message}", ex);
        }
    }

    private static JsonObject ParseObject(ReadOnlySpan<byte> body, KbsErrorKind kind, string what)
    {
        if (body.Length > MaxBodyBytes)
        {
            throw new KbsException(kind, $"deserialize {what}: body larger than {MaxBodyBytes} bytes");
        }

        try
        {
            // Duplicate members are refused as serde refuses them in Trustee (and JsonObject would throw on them).
            return JsonNode.Parse(body, documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false }) as JsonObject
                ?? throw new KbsException(kind, $"deserialize {what}: not a JSON object");
        }
        catch (JsonException ex)
        {
            throw new KbsException(kind, $"deserialize {what}: {ex.Message}", ex);
        }
    }
}
