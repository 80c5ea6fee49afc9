using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using PodVm.Attestation.Kbs;
using PodVm.Attestation.Policy;
using PodVm.Attestation.ReferenceValues;

namespace PodVm.Kbs;

/// <summary>The HTTP surface: Trustee's /kbs/v0 protocol and admin routes, /healthz and /metrics.</summary>
internal static class KbsEndpoints
{
    public const string PublicRateLimitPolicy = "kbs-public";

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapPost("/kbs/v0/auth", AuthAsync).RequireRateLimiting(PublicRateLimitPolicy);
        app.MapPost("/kbs/v0/attest", AttestAsync).RequireRateLimiting(PublicRateLimitPolicy);
        app.MapGet("/kbs/v0/resource/{**path}", GetResourceAsync).RequireRateLimiting(PublicRateLimitPolicy);
        app.MapPost("/kbs/v0/resource/{**path}", SetResourceAsync);
        app.MapDelete("/kbs/v0/resource/{**path}", DeleteResourceAsync);
        app.MapPost("/kbs/v0/attestation-policy", SetAttestationPolicyAsync);
        app.MapPost("/kbs/v0/resource-policy", SetResourcePolicyAsync);
        app.MapGet("/kbs/v0/resource-policy", GetResourcePolicyAsync);
        app.MapPost("/kbs/v0/reference-value", RegisterReferenceValueAsync);
        app.MapGet("/kbs/v0/reference-value/{name?}", QueryReferenceValueAsync);
        app.Map("/kbs/v0/{plugin}/{**rest}", UnknownPluginAsync).RequireRateLimiting(PublicRateLimitPolicy);
        app.MapGet("/healthz", () => Results.Text("ok"));
        app.MapGet("/metrics", (KbsMetrics metrics) => Results.Text(metrics.RenderPrometheus(), "text/plain; version=0.0.4"));
    }

    private static Task AuthAsync(HttpContext context, RcarService rcar, KbsMetrics metrics, ILogger<RcarService> logger) =>
        HandleAsync(context, logger, async () =>
        {
            metrics.AuthRequest();
            try
            {
                var body = await ReadBodyAsync(context, KbsErrorKind.RcarAuthFailed).ConfigureAwait(false);
                var response = rcar.Auth(body);
                SetSessionCookie(context, response);
                await WriteJsonAsync(context, response.Body).ConfigureAwait(false);
            }
            catch (KbsException)
            {
                metrics.AuthError();
                throw;
            }
        });

    private static Task AttestAsync(HttpContext context, RcarService rcar, KbsMetrics metrics, ILogger<RcarService> logger) =>
        HandleAsync(context, logger, async () =>
        {
            metrics.AttestRequest();
            try
            {
                var body = await ReadBodyAsync(context, KbsErrorKind.RcarAttestFailed).ConfigureAwait(false);
                var (response, appraisal, tee) = await rcar.AttestAsync(context.Request.Cookies[RcarService.SessionCookieName], body, context.RequestAborted).ConfigureAwait(false);
                if (appraisal is not null && logger.IsEnabled(LogLevel.Information))
                {
                    KbsLog.Attested(logger, tee, TrustTiers.Name(appraisal.Status), appraisal.PolicyId, string.Join("; ", appraisal.Findings));
                }

                metrics.AttestSuccess();
                SetSessionCookie(context, response);
                await WriteJsonAsync(context, response.Body).ConfigureAwait(false);
            }
            catch (KbsException)
            {
                metrics.AttestFailure();
                throw;
            }
        });

    private static Task GetResourceAsync(HttpContext context, string? path, RcarService rcar, KbsMetrics metrics, ILogger<RcarService> logger) =>
        HandleAsync(context, logger, async () =>
        {
            metrics.ResourceRequest();
            try
            {
                var segments = (path ?? "").Split('/');
                var bearer = context.Request.Headers.Authorization.ToString();
                bearer = bearer.StartsWith("Bearer ", StringComparison.Ordinal) ? bearer["Bearer ".Length..].Trim() : null;
                var jwe = await rcar.GetResourceAsync(context.Request.Cookies[RcarService.SessionCookieName], bearer, segments, context.RequestAborted).ConfigureAwait(false);
                metrics.ResourceReleased();
                KbsLog.Released(logger, path ?? "");
                await WriteJsonAsync(context, jwe).ConfigureAwait(false);
            }
            catch (KbsException)
            {
                metrics.ResourceDenied();
                throw;
            }
        });

    private static Task SetResourceAsync(HttpContext context, string? path, AdminAuthenticator admin, IResourceStore store, ILogger<RcarService> logger) =>
        HandleAsync(context, logger, async () =>
        {
            admin.Authenticate(context.Request.Headers.Authorization, "POST /kbs/v0/resource");
            var segments = (path ?? "").Split('/');
            RcarService.ValidatePath(segments);
            var body = await ReadBodyAsync(context, KbsErrorKind.SerdeError).ConfigureAwait(false);
            await store.SetResourceAsync(string.Join('/', segments), body, context.RequestAborted).ConfigureAwait(false);
            KbsLog.Admin(logger, "set resource", string.Join('/', segments));
        });

    private static Task DeleteResourceAsync(HttpContext context, string? path, AdminAuthenticator admin, IResourceStore store, ILogger<RcarService> logger) =>
        HandleAsync(context, logger, async () =>
        {
            admin.Authenticate(context.Request.Headers.Authorization, "DELETE /kbs/v0/resource");
            var segments = (path ?? "").Split('/');
            RcarService.ValidatePath(segments);
            if (!await store.DeleteResourceAsync(string.Join('/', segments), context.RequestAborted).ConfigureAwait(false))
            {
                throw new KbsException(KbsErrorKind.InvalidRequestPath, "/resource/" + string.Join('/', segments));
            }

            KbsLog.Admin(logger, "delete resource", string.Join('/', segments));
        });

    private static Task SetAttestationPolicyAsync(HttpContext context, AdminAuthenticator admin, IAttestationService attestation, ILogger<RcarService> logger) =>
        HandleAsync(context, logger, async () =>
        {
            admin.Authenticate(context.Request.Headers.Authorization, "POST /kbs/v0/attestation-policy");
            var request = ParseJson(await ReadBodyAsync(context, KbsErrorKind.SerdeError).ConfigureAwait(false));
            var policyId = (string?)request["policy_id"] ?? "default";
            var document = DecodePolicy((string?)request["policy"]);
            try
            {
                await attestation.SetPolicyAsync(policyId, document, context.RequestAborted).ConfigureAwait(false);
            }
            catch (PolicyException ex)
            {
                throw new KbsException(KbsErrorKind.ParsePolicyError, ex.Message, ex);
            }

            KbsLog.Admin(logger, "set attestation policy", policyId);
        });

    private static Task SetResourcePolicyAsync(HttpContext context, AdminAuthenticator admin, IPolicyStore policies, ILogger<RcarService> logger) =>
        HandleAsync(context, logger, async () =>
        {
            admin.Authenticate(context.Request.Headers.Authorization, "POST /kbs/v0/resource-policy");
            var request = ParseJson(await ReadBodyAsync(context, KbsErrorKind.SerdeError).ConfigureAwait(false));
            var document = DecodePolicy((string?)request["policy"]);
            try
            {
                ResourcePolicy.Parse(document);
            }
            catch (PolicyException ex)
            {
                throw new KbsException(KbsErrorKind.ParsePolicyError, ex.Message, ex);
            }

            await policies.SetResourcePolicyAsync(document, context.RequestAborted).ConfigureAwait(false);
            KbsLog.Admin(logger, "set resource policy", "resource-policy");
        });

    private static Task GetResourcePolicyAsync(HttpContext context, AdminAuthenticator admin, IPolicyStore policies, ILogger<RcarService> logger) =>
        HandleAsync(context, logger, async () =>
        {
            admin.Authenticate(context.Request.Headers.Authorization, "GET /kbs/v0/resource-policy");
            var document = await policies.GetResourcePolicyAsync(context.RequestAborted).ConfigureAwait(false) ?? DefaultPolicies.ResourcePolicyJson;
            await WriteJsonAsync(context, new JsonObject { ["policy"] = Base64UrlText.Encode(Encoding.UTF8.GetBytes(document)) }.ToJsonString()).ConfigureAwait(false);
        });

    private static Task RegisterReferenceValueAsync(HttpContext context, AdminAuthenticator admin, ReferenceValueImporter importer, IReferenceValueStore store, ILogger<RcarService> logger) =>
        HandleAsync(context, logger, async () =>
        {
            admin.Authenticate(context.Request.Headers.Authorization, "POST /kbs/v0/reference-value");
            var body = await ReadBodyAsync(context, KbsErrorKind.SerdeError).ConfigureAwait(false);
            IReadOnlyList<ReferenceValue> values;
            try
            {
                values = importer.ImportRvpsMessage(Encoding.UTF8.GetString(body));
            }
            catch (ReferenceValueException ex)
            {
                throw new KbsException(KbsErrorKind.RvpsError, $"{ex.Error}: {ex.Message}", ex);
            }

            await store.SetAsync(values, context.RequestAborted).ConfigureAwait(false);
            KbsLog.Admin(logger, "registered reference values", string.Join(", ", values.Select(v => v.Name)));
            await WriteJsonAsync(context, new JsonObject { ["registered"] = new JsonArray([.. values.Select(v => (JsonNode)v.Name)]) }.ToJsonString()).ConfigureAwait(false);
        });

    private static Task QueryReferenceValueAsync(HttpContext context, string? name, AdminAuthenticator admin, IReferenceValueStore store, ILogger<RcarService> logger) =>
        HandleAsync(context, logger, async () =>
        {
            admin.Authenticate(context.Request.Headers.Authorization, "GET /kbs/v0/reference-value");
            var result = new JsonObject();
            foreach (var v in await store.ListAsync(context.RequestAborted).ConfigureAwait(false))
            {
                if (name is null || string.Equals(v.Name, name, StringComparison.Ordinal))
                {
                    result[v.Name] = v.ToJson();
                }
            }

            await WriteJsonAsync(context, result.ToJsonString(JsonText.Compact)).ConfigureAwait(false);
        });

    private static Task UnknownPluginAsync(HttpContext context, string plugin, ILogger<RcarService> logger) =>
        HandleAsync(context, logger, () => throw new KbsException(KbsErrorKind.PluginNotFound, plugin.Length > 64 ? plugin[..64] : plugin));

    private static async Task HandleAsync(HttpContext context, ILogger logger, Func<Task> handler)
    {
        try
        {
            await handler().ConfigureAwait(false);
        }
        catch (KbsException ex)
        {
            var variant = KbsError.Variant(ex.Kind);
            KbsLog.Refused(logger, context.Request.Path, variant, ex.Message);
            await WriteErrorAsync(context, KbsError.StatusCode(ex.Kind), KbsError.Body(ex.Kind, ex.Message)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            KbsLog.Unexpected(logger, context.Request.Path, ex);
            await WriteErrorAsync(context, 500, KbsError.Body(KbsErrorKind.PluginInternalError, "internal error")).ConfigureAwait(false);
        }
    }

    private static async Task WriteErrorAsync(HttpContext context, int status, string body)
    {
        if (context.Response.HasStarted)
        {
            return;
        }

        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task WriteJsonAsync(HttpContext context, string body)
    {
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
    }

    private static void SetSessionCookie(HttpContext context, RcarResponse response) =>
        context.Response.Headers.Append("Set-Cookie", string.Create(
            CultureInfo.InvariantCulture,
            $"{RcarService.SessionCookieName}={response.Cookie}; Expires={response.CookieExpires.UtcDateTime:R}; Path=/kbs/v0; HttpOnly"));

    private static async Task<byte[]> ReadBodyAsync(HttpContext context, KbsErrorKind kind)
    {
        if (context.Request.ContentLength > RcarService.MaxBodyBytes)
        {
            throw new KbsException(kind, $"body larger than {RcarService.MaxBodyBytes} bytes");
        }

        using var buffer = new MemoryStream(context.Request.ContentLength is { } length and > 0 ? (int)length : 0);
        var chunk = ArrayPool<byte>.Shared.Rent(16 * 1024);
        var used = 0;
        try
        {
            int read;
            while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted).ConfigureAwait(false)) > 0)
            {
                used = Math.Max(used, read);
                if (buffer.Length + read > RcarService.MaxBodyBytes)
                {
                    throw new KbsException(kind, $"body larger than {RcarService.MaxBodyBytes} bytes");
                }

                buffer.Write(chunk, 0, read);
            }
        }
        finally
        {
            // Bodies can be secrets (admin resource values): nothing read stays in the pooled buffer.
            chunk.AsSpan(0, used).Clear();
            ArrayPool<byte>.Shared.Return(chunk);
        }

        return buffer.ToArray();
    }

    private static JsonObject ParseJson(byte[] body)
    {
        try
        {
            return JsonNode.Parse(body) as JsonObject ?? throw new KbsException(KbsErrorKind.SerdeError, "body is not a JSON object");
        }
        catch (JsonException ex)
        {
            throw new KbsException(KbsErrorKind.SerdeError, ex.Message, ex);
        }
    }

    /// <summary>Policies travel base64url without padding, as in Trustee; plain JSON is accepted too.</summary>
    private static string DecodePolicy(string? policy)
    {
        if (string.IsNullOrEmpty(policy))
        {
            throw new KbsException(KbsErrorKind.ParsePolicyError, "'policy' is missing");
        }

        if (policy.TrimStart().StartsWith('{'))
        {
            return policy;
        }

        return Encoding.UTF8.GetString(Base64UrlText.Decode(policy.TrimEnd('='), KbsErrorKind.ParsePolicyError, "policy"));
    }
}
