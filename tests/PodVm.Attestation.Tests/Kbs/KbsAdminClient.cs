using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using PodVm.Attestation.Kbs;

namespace PodVm.Attestation.Tests.Kbs;

/// <summary>Admin calls for tests (JWT signed by the test host's admin key).</summary>
internal static class KbsAdminClient
{
    public const string SamplePolicy = """
        {"version":"0.1.0","id":"default","allowed_tees":["sample"],
         "rules":{"sample":[{"claim":"/svn","reference":"sample_svn","match":"min","component":"hardware"}]}}
        """;

    public const string SampleResourcePolicy = """
        {"version":"0.1.0","rules":[
          {"effect":"deny","paths":["*/*/denied"]},
          {"effect":"allow","paths":["*/*/*"],"status":"affirming","tees":["sample"]}]}
        """;

    public static async Task<HttpResponseMessage> PostAsync(KbsTestHost host, string path, HttpContent content, string? token = null)
    {
        using var http = new HttpClient { BaseAddress = host.BaseUri };
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token ?? host.AdminToken());
        return await http.SendAsync(request).DefaultTimeout();
    }

    /// <summary>Enables the sample TEE end to end: attestation policy, reference value, resource policy, one resource.</summary>
    public static async Task EnableSampleAsync(KbsTestHost host, string resourcePath = "default/key/1", string secret = "this is a test secret")
    {
        await EnsureOk(await PostAsync(host, "/kbs/v0/attestation-policy", RcarTestClient.Json(new JsonObject
        {
            ["type"] = "podvm",
            ["policy_id"] = "default",
            ["policy"] = Base64UrlText.Encode(Encoding.UTF8.GetBytes(SamplePolicy)),
        })));
        await EnsureOk(await PostAsync(host, "/kbs/v0/resource-policy", RcarTestClient.Json(new JsonObject
        {
            ["policy"] = Base64UrlText.Encode(Encoding.UTF8.GetBytes(SampleResourcePolicy)),
        })));
        await EnsureOk(await PostAsync(host, "/kbs/v0/reference-value", RcarTestClient.Json(new JsonObject
        {
            ["version"] = "0.1.0",
            ["type"] = "sample",
            ["payload"] = Convert.ToBase64String("""{"sample_svn":["1"]}"""u8),
        })));
        await EnsureOk(await PostAsync(host, "/kbs/v0/resource/" + resourcePath, new ByteArrayContent(Encoding.UTF8.GetBytes(secret))));
    }

    public static async Task EnsureOk(HttpResponseMessage response)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }
}
