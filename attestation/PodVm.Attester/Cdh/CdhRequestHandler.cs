using System.Text;
using PodVm.Attester.Evidence;
using PodVm.Attester.Kbs;

namespace PodVm.Attester.Cdh;

/// <summary>
/// The routes of the confidential-data-hub endpoint (upstream api-server-rest paths):
/// <c>GET /cdh/resource/&lt;repo&gt;/&lt;type&gt;/&lt;tag&gt;</c> → the secret bytes, attesting on first use;
/// <c>GET /aa/evidence?runtime_data=&lt;text&gt;</c> → this VM's evidence over that runtime data (≤ 64 bytes, zero-padded).
/// </summary>
internal sealed class CdhRequestHandler(KbsClient? kbs, string noKbsReason, IEvidenceProvider? evidence)
{
    public const string ResourcePrefix = "/cdh/resource/";
    public const string EvidencePath = "/aa/evidence";

    public async Task<CdhResponse> HandleAsync(HttpRequestHead head, CancellationToken cancellationToken)
    {
        if (!string.Equals(head.Method, "GET", StringComparison.Ordinal))
        {
            return CdhResponse.Error(405, $"method {head.Method} is not allowed; use GET");
        }

        var queryAt = head.Target.IndexOf('?', StringComparison.Ordinal);
        var path = queryAt < 0 ? head.Target : head.Target[..queryAt];
        var query = queryAt < 0 ? "" : head.Target[(queryAt + 1)..];
        if (path.StartsWith(ResourcePrefix, StringComparison.Ordinal))
        {
            return await GetResourceAsync(path[ResourcePrefix.Length..], cancellationToken).ConfigureAwait(false);
        }

        if (string.Equals(path, EvidencePath, StringComparison.Ordinal))
        {
            return await GetEvidenceAsync(query, cancellationToken).ConfigureAwait(false);
        }

        return CdhResponse.Error(404, $"no such endpoint {Shorten(path)}; use {ResourcePrefix}<repo>/<type>/<tag> or {EvidencePath}?runtime_data=…");
    }

    /// <summary>True when <paramref name="path"/> is repo/type/tag with segments of [A-Za-z0-9._-], none empty, "." or "..".</summary>
    public static bool IsValidResourcePath(string path)
    {
        var segments = path.Split('/');
        return segments.Length == 3 && segments.All(s => s.Length is > 0 and <= 128
            && s is not ("." or "..")
            && s.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'));
    }

    private async Task<CdhResponse> GetResourceAsync(string resourcePath, CancellationToken cancellationToken)
    {
        if (!IsValidResourcePath(resourcePath))
        {
            return CdhResponse.Error(400, $"bad resource path '{Shorten(resourcePath)}': expected <repo>/<type>/<tag>, each of [A-Za-z0-9._-], not empty, '.' or '..'");
        }

        if (kbs is null)
        {
            return CdhResponse.Error(503, noKbsReason);
        }

        try
        {
            var secret = await kbs.GetResourceAsync(resourcePath, cancellationToken).ConfigureAwait(false);
            return new CdhResponse(200, "application/octet-stream", secret, IsSecret: true);
        }
        catch (KbsClientException ex)
        {
            var status = ex.Kind switch
            {
                KbsClientErrorKind.AttestationRefused or KbsClientErrorKind.PolicyDenied => 403,
                KbsClientErrorKind.NotFound => 404,
                KbsClientErrorKind.Evidence => 500,
                _ => 502,
            };
            return CdhResponse.Error(status, ex.Message);
        }
    }

    private async Task<CdhResponse> GetEvidenceAsync(string query, CancellationToken cancellationToken)
    {
        if (evidence is null)
        {
            return CdhResponse.Error(503, "no TEE evidence provider: this VM has no configfs-tsm, /dev/sev-guest or local development TEE side channel");
        }

        string? runtimeData = null;
        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var name = eq < 0 ? pair : pair[..eq];
            if (string.Equals(name, "runtime_data", StringComparison.Ordinal))
            {
                try
                {
                    runtimeData = Uri.UnescapeDataString((eq < 0 ? "" : pair[(eq + 1)..]).Replace('+', ' '));
                }
                catch (UriFormatException)
                {
                    return CdhResponse.Error(400, "runtime_data is not valid percent-encoding");
                }
            }
        }

        if (runtimeData is null)
        {
            return CdhResponse.Error(400, "runtime_data is missing");
        }

        var bytes = Encoding.UTF8.GetBytes(runtimeData);
        if (bytes.Length > 64)
        {
            return CdhResponse.Error(400, $"runtime_data is {bytes.Length} bytes; at most 64 fit the report data");
        }

        var reportData = new byte[64];
        bytes.CopyTo(reportData, 0);
        try
        {
            var json = await evidence.GetEvidenceAsync(reportData, cancellationToken).ConfigureAwait(false);
            return new CdhResponse(200, "application/json", json);
        }
        catch (EvidenceException ex)
        {
            return CdhResponse.Error(500, $"{evidence.Tee} evidence: {ex.Message}");
        }
    }

    private static string Shorten(string text) => text.Length > 96 ? text[..96] + "…" : text;
}
