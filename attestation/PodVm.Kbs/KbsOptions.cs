using PodVm.Attestation.ReferenceValues;

namespace PodVm.Kbs;

/// <summary>Settings of `podvm kbs serve`, bound from the "Kbs" section (file, environment Kbs__*, command line).</summary>
public sealed record KbsOptions
{
    public const string Section = "Kbs";

    /// <summary>The endpoint used when <see cref="Urls"/> is empty.</summary>
    public const string DefaultUrl = "http://127.0.0.1:8080";

    /// <summary>HTTP endpoints for the KBS protocol, admin API, /healthz and /metrics (HTTP/1.1 and HTTP/2); empty = <see cref="DefaultUrl"/>.</summary>
    public IList<string> Urls { get; init; } = [];

    /// <summary>PEM certificate (chain) served on https:// entries of <see cref="Urls"/>; required when one is https.</summary>
    public string? TlsCertificateFile { get; init; }

    /// <summary>PEM private key of <see cref="TlsCertificateFile"/>.</summary>
    public string? TlsPrivateKeyFile { get; init; }

    /// <summary>HTTP/2-only endpoints for Trustee's internal gRPC APIs; empty = gRPC not served.</summary>
    public IList<string> GrpcUrls { get; init; } = [];

    /// <summary>SQLite database file (resources, policies, reference values, nonces, generated keys).</summary>
    public string DatabasePath { get; init; } = "podvm-kbs.db";

    /// <summary>Lifetime of an RCAR session (Trustee default 5 minutes).</summary>
    public TimeSpan SessionTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Lifetime of an EAR token.</summary>
    public TimeSpan TokenLifetime { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// SECRET. base64 of the 32-byte key sealing session cookies. Replicas must share it; when unset the key is
    /// generated once and kept in the database (replicas sharing the database share it).
    /// </summary>
    public string? SessionKey { get; init; }

    /// <summary>PEM (PKCS#8) P-256 private key signing EAR tokens; unset = generated once and kept in the database.</summary>
    public string? TokenSigningKeyFile { get; init; }

    /// <summary>PEM P-256 public keys of further token issuers whose EAR tokens are accepted as Bearer (e.g. a remote attestation service).</summary>
    public IList<string> TrustedTokenKeyFiles { get; init; } = [];

    /// <summary>PEM EC public keys whose ES256/ES384 JWTs authenticate the admin API; none = admin API refuses everything.</summary>
    public IList<string> AdminPublicKeyFiles { get; init; } = [];

    /// <summary>Keys trusted to sign reference value bundles (COSE kid → PEM public key or certificate file).</summary>
    public IList<ReferenceValueSignerOptions> ReferenceValueSigners { get; init; } = [];

    /// <summary>Accept unsigned RVPS messages ("sample", unsigned "corim") from the authenticated admin. Off by default.</summary>
    public bool AllowUnsignedReferenceValues { get; init; }

    /// <summary>PEM P-384 public keys of local development TEE platforms; none = local-dev evidence is refused.</summary>
    public IList<string> LocalDevPlatformKeyFiles { get; init; } = [];

    /// <summary>Requests per second each client address may make to the public endpoints (token bucket).</summary>
    public int RateLimitPerSecond { get; init; } = 100;

    /// <summary>Burst allowed above the rate.</summary>
    public int RateLimitBurst { get; init; } = 200;

    /// <summary>SECRET. Bearer token the gRPC APIs require; unset with GrpcUrls set is a start-up error.</summary>
    public string? GrpcToken { get; init; }

    /// <summary>Redacted copy for logging.</summary>
    public KbsOptions Redacted() => this with
    {
        SessionKey = SessionKey is null ? null : "***",
        GrpcToken = GrpcToken is null ? null : "***",
    };

    /// <summary>Loads the configured reference value signers.</summary>
    public IReadOnlyList<ReferenceValueSigner> LoadSigners() =>
        [.. ReferenceValueSigners.Select(s => ReferenceValueSigner.FromPem(s.KeyId, File.ReadAllText(s.PublicKeyFile)))];
}
