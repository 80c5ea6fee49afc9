using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using PodVm.Kbs;

namespace PodVm.Cli.Kbs;

/// <summary>
/// The KBS admin API as `podvm kbs` and `podvm run --attest` use it: each request carries a short-lived ES256/ES384
/// JWT signed with the admin key whose public half the KBS lists in Kbs:AdminPublicKeyFiles.
/// </summary>
internal sealed class KbsAdminClient(Uri baseAddress, ECDsa adminKey, HttpMessageHandler? handler = null) : IDisposable
{
    private readonly HttpClient _http = handler is null
        ? new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) }
        : new HttpClient(handler, disposeHandler: false) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>Posts to an admin path; returns the KBS's answer body, or throws <see cref="KbsAdminException"/> naming the refusal.</summary>
    public async Task<string> PostAsync(string path, HttpContent content, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminAuthenticator.CreateToken(adminKey, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5)));
        try
        {
            using var response = await _http.SendAsync(request, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            return response.IsSuccessStatusCode ? body : throw new KbsAdminException($"KBS refused {path}: {(int)response.StatusCode} {body}");
        }
        catch (HttpRequestException ex)
        {
            throw new KbsAdminException($"cannot reach the KBS at {baseAddress}: {ex.Message}", ex);
        }
    }

    /// <summary>Stores a resource (the value is never logged).</summary>
    public Task<string> SetResourceAsync(string path, ReadOnlyMemory<byte> value, CancellationToken cancellationToken) =>
        PostAsync("/kbs/v0/resource/" + path.Trim('/'), new ReadOnlyMemoryContent(value), cancellationToken);

    /// <summary>Sends a signed bundle (COSE) of reference values.</summary>
    public Task<string> ImportReferenceValuesAsync(ReadOnlyMemory<byte> signedBundle, CancellationToken cancellationToken) =>
        PostAsync("/kbs/v0/reference-value", Json(new JsonObject { ["version"] = "0.1.0", ["type"] = "cose", ["payload"] = Convert.ToBase64String(signedBundle.Span) }), cancellationToken);

    /// <summary>Sets an attestation policy (docs/attestation/policy.md).</summary>
    public Task<string> SetAttestationPolicyAsync(string policyId, ReadOnlySpan<byte> document, CancellationToken cancellationToken) =>
        PostAsync("/kbs/v0/attestation-policy", Json(new JsonObject { ["type"] = "podvm", ["policy_id"] = policyId, ["policy"] = Base64Url(document) }), cancellationToken);

    /// <summary>Sets the resource policy (docs/attestation/policy.md).</summary>
    public Task<string> SetResourcePolicyAsync(ReadOnlySpan<byte> document, CancellationToken cancellationToken) =>
        PostAsync("/kbs/v0/resource-policy", Json(new JsonObject { ["policy"] = Base64Url(document) }), cancellationToken);

    public void Dispose() => _http.Dispose();

    private static StringContent Json(JsonObject body) => new(body.ToJsonString(), Encoding.UTF8, "application/json");

    private static string Base64Url(ReadOnlySpan<byte> bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
