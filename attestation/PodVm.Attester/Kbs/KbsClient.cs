using System.Buffers.Text;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using PodVm.Attester.Configuration;
using PodVm.Attester.Evidence;

namespace PodVm.Attester.Kbs;

/// <summary>
/// The guest's Trustee KBS client (protocol 0.4.0, RCAR): /auth → challenge nonce; an ephemeral P-256 key; evidence
/// over SHA-384(JCS runtime data) ‖ 0^16; /attest → EAR token; /resource → JWE decrypted with the ephemeral key.
/// One attestation at a time; the session is reused until its token is about to expire or the KBS answers 401.
/// Secrets stay in memory and are never logged.
/// </summary>
internal sealed class KbsClient : IDisposable
{
    public const string ProtocolVersion = "0.4.0";
    public const string SessionCookieName = "kbs-session-id";

    /// <summary>Bodies larger than this are refused (the KBS limits its own to 1 MiB; a JWE adds a third).</summary>
    public const int MaxResponseBytes = 4 * 1024 * 1024;

    /// <summary>Re-attest this long before the token's exp.</summary>
    public static readonly TimeSpan ExpiryMargin = TimeSpan.FromSeconds(15);

    /// <summary>Used when the token carries no readable exp (the KBS's default token lifetime).</summary>
    public static readonly TimeSpan DefaultTokenLifetime = TimeSpan.FromMinutes(5);

    private readonly HttpClient _http;
    private readonly Uri _kbsUrl;
    private readonly IEvidenceProvider _evidence;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string? _initDataToml;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private KbsSession? _session;

    public KbsClient(KbsEndpointConfig config, IEvidenceProvider evidence, TimeProvider time, ILogger logger, string? initDataToml, HttpMessageHandler? handler = null)
    {
        _kbsUrl = config.Url;
        _evidence = evidence;
        _time = time;
        _logger = logger;
        _initDataToml = initDataToml;
        _http = new HttpClient(handler ?? CreateHandler(config), disposeHandler: true)
        {
            BaseAddress = config.Url,
            Timeout = TimeSpan.FromSeconds(60),
        };
    }

    public Uri KbsUrl => _kbsUrl;

    public string Tee => _evidence.Tee;

    /// <summary>The secret at repo/type/tag (already validated by the caller).</summary>
    public async Task<byte[]> GetResourceAsync(string resourcePath, CancellationToken cancellationToken)
    {
        KbsSession? stale = null;
        for (var attempt = 0; ; attempt++)
        {
            var session = await GetSessionAsync(stale, cancellationToken).ConfigureAwait(false);
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_kbsUrl, "kbs/v0/resource/" + resourcePath));
            if (session.Cookie is { } cookie)
            {
                request.Headers.Add("Cookie", cookie);
            }

            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", session.Token);
            using var response = await SendAsync(request, cancellationToken).ConfigureAwait(false);
            var body = await ReadBodyAsync(response, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                try
                {
                    return JweDecryptor.Decrypt(body, session.Key.Key);
                }
                catch (CryptographicException ex)
                {
                    throw new KbsClientException(KbsClientErrorKind.Protocol, $"the KBS's resource {resourcePath} did not decrypt with this VM's key: {ex.Message}", ex);
                }
                finally
                {
                    CryptographicOperations.ZeroMemory(body);
                }
            }

            var error = ParseError(body);
            var detail = Detail(error, response.StatusCode);
            var variant = error?.Variant ?? "";
            if (response.StatusCode == HttpStatusCode.Forbidden || variant == "PolicyDeny")
            {
                throw new KbsClientException(KbsClientErrorKind.PolicyDenied, $"the KBS denied {resourcePath}: {detail}");
            }

            if (response.StatusCode == HttpStatusCode.NotFound
                || (variant == "PluginInternalError" && detail.Contains("not found", StringComparison.OrdinalIgnoreCase)))
            {
                throw new KbsClientException(KbsClientErrorKind.NotFound, $"the KBS has no resource {resourcePath}: {detail}");
            }

            if (response.StatusCode == HttpStatusCode.Unauthorized && attempt == 0)
            {
                // Token or session no longer accepted (expired, KBS restarted with new keys): attest again once.
                AttesterLog.Reattesting(_logger, variant);
                stale = session;
                continue;
            }

            throw new KbsClientException(KbsClientErrorKind.Protocol, $"the KBS answered {(int)response.StatusCode} for {resourcePath}: {detail}");
        }
    }

    public void Dispose()
    {
        _http.Dispose();
        _gate.Dispose();
    }

    private async Task<KbsSession> GetSessionAsync(KbsSession? stale, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_session is { } current && !ReferenceEquals(current, stale) && _time.GetUtcNow() < current.ExpiresAt - ExpiryMargin)
            {
                return current;
            }

            _session = null;
            var session = await AttestAsync(cancellationToken).ConfigureAwait(false);
            _session = session;
            return session;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<KbsSession> AttestAsync(CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        AttesterLog.Attesting(_logger, _evidence.Tee, _kbsUrl);
        var key = TeeKeyPair.Create();
        try
        {
            // 1. Request → Challenge.
            var authJson = JsonSerializer.SerializeToUtf8Bytes(new KbsRequest { Version = ProtocolVersion, Tee = _evidence.Tee }, AttesterJsonContext.Default.KbsRequest);
            string nonce;
            string cookie;
            using (var auth = await PostJsonAsync("kbs/v0/auth", authJson, null, cancellationToken).ConfigureAwait(false))
            {
                var body = await ReadBodyAsync(auth, cancellationToken).ConfigureAwait(false);
                if (auth.StatusCode != HttpStatusCode.OK)
                {
                    throw new KbsClientException(KbsClientErrorKind.AttestationRefused, $"the KBS refused the RCAR request: {Detail(ParseError(body), auth.StatusCode)}");
                }

                var challenge = Deserialize(body, AttesterJsonContext.Default.KbsChallenge, "challenge");
                nonce = challenge.Nonce is { Length: > 0 } n ? n : throw new KbsClientException(KbsClientErrorKind.Protocol, "the KBS's challenge has no nonce");
                cookie = SessionCookie(auth) ?? throw new KbsClientException(KbsClientErrorKind.Protocol, $"the KBS set no {SessionCookieName} cookie on /auth");
            }

            // 2. Evidence bound to the nonce and the ephemeral key.
            var reportData = RcarBinding.ReportData(nonce, key.Jwk);
            byte[] evidence;
            try
            {
                evidence = await _evidence.GetEvidenceAsync(reportData, cancellationToken).ConfigureAwait(false);
            }
            catch (EvidenceException ex)
            {
                throw new KbsClientException(KbsClientErrorKind.Evidence, $"{_evidence.Tee} evidence: {ex.Message}", ex);
            }

            byte[] attestJson;
            using (var evidenceDocument = JsonDocument.Parse(evidence))
            {
                var attestation = new KbsAttestation
                {
                    InitData = _initDataToml is { } toml ? new KbsInitData { Body = toml } : null,
                    RuntimeData = new KbsRuntimeData { Nonce = nonce, TeePubKey = key.Jwk },
                    TeeEvidence = new KbsTeeEvidence { PrimaryEvidence = evidenceDocument.RootElement },
                };
                attestJson = JsonSerializer.SerializeToUtf8Bytes(attestation, AttesterJsonContext.Default.KbsAttestation);
            }

            // 3. Attestation → EAR token.
            using var attest = await PostJsonAsync("kbs/v0/attest", attestJson, cookie, cancellationToken).ConfigureAwait(false);
            var attestBody = await ReadBodyAsync(attest, cancellationToken).ConfigureAwait(false);
            if (attest.StatusCode != HttpStatusCode.OK)
            {
                var reason = Detail(ParseError(attestBody), attest.StatusCode);
                AttesterLog.AttestationRefused(_logger, _evidence.Tee, reason);
                throw new KbsClientException(KbsClientErrorKind.AttestationRefused, $"the KBS refused this VM's {_evidence.Tee} evidence: {reason}");
            }

            var token = Deserialize(attestBody, AttesterJsonContext.Default.KbsTokenResponse, "attestation answer").Token
                ?? throw new KbsClientException(KbsClientErrorKind.Protocol, "the KBS's attestation answer has no token");
            var expires = TokenExpiry(token) ?? _time.GetUtcNow() + DefaultTokenLifetime;
            var session = new KbsSession(key, token, SessionCookie(attest) ?? cookie, expires);
            AttesterLog.Attested(_logger, _evidence.Tee, Stopwatch.GetElapsedTime(started).TotalMilliseconds, expires);
            return session;
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    private async Task<HttpResponseMessage> PostJsonAsync(string path, byte[] json, string? cookie, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_kbsUrl, path)) { Content = new ByteArrayContent(json) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        if (cookie is not null)
        {
            request.Headers.Add("Cookie", cookie);
        }

        return await SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        try
        {
            return await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex) when (Find<AuthenticationException>(ex) is not null)
        {
            throw new KbsClientException(KbsClientErrorKind.CertificateRejected, $"TLS with the KBS at {_kbsUrl} failed: its certificate is not trusted by the kbs_cert in initdata ({Find<AuthenticationException>(ex)!.Message})", ex);
        }
        catch (HttpRequestException ex) when (Find<SocketException>(ex) is { SocketErrorCode: SocketError.ConnectionRefused })
        {
            throw new KbsClientException(KbsClientErrorKind.Unreachable, $"the KBS at {_kbsUrl} refused the connection (is it running, and is the address in initdata right?)", ex);
        }
        catch (HttpRequestException ex)
        {
            throw new KbsClientException(KbsClientErrorKind.Unreachable, $"the KBS at {_kbsUrl} could not be reached: {ex.Message}", ex);
        }
        catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new KbsClientException(KbsClientErrorKind.Unreachable, $"the KBS at {_kbsUrl} did not answer within {_http.Timeout.TotalSeconds:0} s", ex);
        }
    }

    private static async Task<byte[]> ReadBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.Content.Headers.ContentLength > MaxResponseBytes)
        {
            throw new KbsClientException(KbsClientErrorKind.Protocol, $"the KBS's answer is larger than {MaxResponseBytes} bytes");
        }

        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var buffer = new MemoryStream();
            var chunk = new byte[16 * 1024];
            int read;
            while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > MaxResponseBytes)
                {
                    throw new KbsClientException(KbsClientErrorKind.Protocol, $"the KBS's answer is larger than {MaxResponseBytes} bytes");
                }

                buffer.Write(chunk, 0, read);
            }

            return buffer.ToArray();
        }
    }

    private static T Deserialize<T>(byte[] body, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, string what)
    {
        try
        {
            return JsonSerializer.Deserialize(body, type) ?? throw new KbsClientException(KbsClientErrorKind.Protocol, $"the KBS's {what} is null");
        }
        catch (JsonException ex)
        {
            throw new KbsClientException(KbsClientErrorKind.Protocol, $"the KBS's {what} is not valid JSON: {ex.Message}", ex);
        }
    }

    private static KbsErrorBody? ParseError(byte[] body)
    {
        try
        {
            return body.Length == 0 ? null : JsonSerializer.Deserialize(body, AttesterJsonContext.Default.KbsErrorBody);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Detail(KbsErrorBody? error, HttpStatusCode status)
    {
        var detail = error?.Detail is { Length: > 0 } d ? d : $"HTTP {(int)status}";
        return detail.Length > 1024 ? detail[..1024] + "…" : detail;
    }

    /// <summary>"kbs-session-id=&lt;value&gt;" from the answer's Set-Cookie, ready for a Cookie header.</summary>
    internal static string? SessionCookie(HttpResponseMessage response)
    {
        if (!response.Headers.TryGetValues("Set-Cookie", out var values))
        {
            return null;
        }

        foreach (var header in values)
        {
            var pair = header.Split(';', 2)[0].Trim();
            if (pair.StartsWith(SessionCookieName + "=", StringComparison.Ordinal) && pair.Length > SessionCookieName.Length + 1)
            {
                return pair;
            }
        }

        return null;
    }

    /// <summary>The JWT's exp claim, read without verifying (the KBS verifies its own tokens).</summary>
    internal static DateTimeOffset? TokenExpiry(string token)
    {
        var parts = token.Split('.');
        if (parts.Length != 3)
        {
            return null;
        }

        try
        {
            var claims = JsonSerializer.Deserialize(Base64Url.DecodeFromChars(parts[1]), AttesterJsonContext.Default.EarTokenClaims);
            return claims?.Exp is { } exp ? DateTimeOffset.FromUnixTimeSeconds(exp) : null;
        }
        catch (Exception ex) when (ex is FormatException or JsonException or ArgumentOutOfRangeException)
        {
            return null;
        }
    }

    private static T? Find<T>(Exception ex)
        where T : Exception
    {
        for (Exception? e = ex; e is not null; e = e.InnerException)
        {
            if (e is T match)
            {
                return match;
            }
        }

        return null;
    }

    internal static SocketsHttpHandler CreateHandler(KbsEndpointConfig config)
    {
        var handler = new SocketsHttpHandler
        {
            UseCookies = false,
            AllowAutoRedirect = false,
            UseProxy = false,
            ConnectTimeout = TimeSpan.FromSeconds(10),
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        };
        if (string.Equals(config.Url.Scheme, "https", StringComparison.Ordinal) && config.CertificatePem is { } pem)
        {
            var validator = new KbsCertificateValidator(pem);
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) => validator.Validate(certificate, errors);
        }

        return handler;
    }
}
