using System.Text.Json.Nodes;

namespace PodVm.Attestation.Kbs;

/// <summary>Trustee's error body and status code for a <see cref="KbsErrorKind"/>.</summary>
public static class KbsError
{
    public const string TypePrefix = "https://github.com/confidential-containers/kbs/errors/";

    /// <summary>404 for InvalidRequestPath and PluginNotFound, 401 for everything else (PolicyDeny too, as in Trustee 78962cd4).</summary>
    public static int StatusCode(KbsErrorKind kind) => kind switch
    {
        KbsErrorKind.InvalidRequestPath or KbsErrorKind.PluginNotFound => 404,
        _ => 401,
    };

    /// <summary>The Trustee variant name in the "type" URL.</summary>
    public static string Variant(KbsErrorKind kind) => kind switch
    {
        KbsErrorKind.RcarAuthFailed or KbsErrorKind.RcarAttestFailed => "AttestationError",
        KbsErrorKind.AdminAuth => "AdminAuthAccess",
        _ => kind.ToString(),
    };

    /// <summary>Trustee's Display text prefix for the variant, followed by our detail.</summary>
    public static string Detail(KbsErrorKind kind, string message) => kind switch
    {
        KbsErrorKind.RcarAuthFailed => $"Attestation error: RCAR handshake Auth failed: {message}",
        KbsErrorKind.RcarAttestFailed => $"Attestation error: RCAR handshake Attest failed: {message}",
        KbsErrorKind.PolicyDeny => "Access denied by policy",
        KbsErrorKind.TokenNotFound => "Attestation Token not found",
        KbsErrorKind.TokenVerifierError => $"Token Verifier error: {message}",
        KbsErrorKind.InvalidRequestPath => $"Request path {message} is invalid",
        KbsErrorKind.PluginNotFound => $"Plugin {message} not found",
        KbsErrorKind.JweError => "JWE failed",
        KbsErrorKind.SerdeError => "Serialize/Deserialize failed",
        KbsErrorKind.AdminAuth => $"admin access denied for endpoint: {message}",
        KbsErrorKind.ParsePolicyError => $"Failed to parse policy: {message}",
        KbsErrorKind.RvpsError => $"RVPS configuration failed: {message}",
        _ => message,
    };

    public static string Body(KbsErrorKind kind, string message) => new JsonObject
    {
        ["type"] = TypePrefix + Variant(kind),
        ["detail"] = Detail(kind, message),
    }.ToJsonString();
}
