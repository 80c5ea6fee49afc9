using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PodVm.Attestation.Kbs;
using PodVm.Attestation.Verification;
using PodVm.Kbs;
using PodVm.Kbs.Benchmarks;

// Full RCAR handshakes (auth -> attest -> resource, sample TEE, P-256 TEE key, SQLite store) per second on loopback,
// beside the bare cryptography one handshake needs, measured in the same run. Usage: [seconds] [concurrency]
var seconds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10;
var concurrency = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 4;
var dir = Directory.CreateTempSubdirectory("podvm-kbs-bench").FullName;
using var admin = ECDsa.Create(ECCurve.NamedCurves.nistP256);
var adminPem = Path.Combine(dir, "admin.pub.pem");
File.WriteAllText(adminPem, admin.ExportSubjectPublicKeyInfoPem());
await using var app = KbsHost.Build(
    [
        "--Kbs:Urls:0=http://127.0.0.1:0",
        $"--Kbs:DatabasePath={Path.Combine(dir, "kbs.db")}",
        $"--Kbs:AdminPublicKeyFiles:0={adminPem}",
        "--Kbs:AllowUnsignedReferenceValues=true",
        "--Kbs:RateLimitPerSecond=1000000",
        "--Kbs:RateLimitBurst=1000000",
        "--Logging:LogLevel:Default=Warning",
    ],
    configureServices: services =>
    {
        services.AddSingleton<IEvidenceVerifier, BenchSampleVerifier>();
        services.AddLogging(l => l.SetMinimumLevel(LogLevel.Warning));
    });
await app.StartAsync();
var baseUri = app.Services.GetRequiredService<KbsBoundEndpoints>().HttpUris[0];

async Task Admin(string path, HttpContent content)
{
    using var http = new HttpClient { BaseAddress = baseUri };
    using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminAuthenticator.CreateToken(admin, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5)));
    (await http.SendAsync(request)).EnsureSuccessStatusCode();
}

StringContent Json(string s) => new(s, Encoding.UTF8, "application/json");
await Admin("/kbs/v0/attestation-policy", Json(new JsonObject { ["policy_id"] = "default", ["policy"] = """{"version":"0.1.0","id":"default","allowed_tees":["sample"],"rules":{"sample":[{"claim":"/svn","reference":"sample_svn","match":"min","component":"hardware"}]}}""" }.ToJsonString()));
await Admin("/kbs/v0/resource-policy", Json(new JsonObject { ["policy"] = """{"version":"0.1.0","rules":[{"effect":"allow","paths":["*/*/*"],"status":"affirming","tees":["sample"]}]}""" }.ToJsonString()));
await Admin("/kbs/v0/reference-value", Json(new JsonObject { ["version"] = "0.1.0", ["type"] = "sample", ["payload"] = Convert.ToBase64String("""{"sample_svn":["1"]}"""u8) }.ToJsonString()));
await Admin("/kbs/v0/resource/default/key/1", new ByteArrayContent(RandomNumberGenerator.GetBytes(32)));

async Task Handshake(HttpClient http, ECDiffieHellman tee, JsonObject pub)
{
    using var auth = await http.PostAsync("/kbs/v0/auth", Json("""{"version":"0.4.0","tee":"sample","extra-params":""}"""));
    auth.EnsureSuccessStatusCode();
    var nonce = (string)JsonNode.Parse(await auth.Content.ReadAsStringAsync())!["nonce"]!;
    var digest = SHA384.HashData(Jcs.Canonicalize(RuntimeDataBinding.Build(nonce, pub, "")));
    var attestation = new JsonObject
    {
        ["runtime-data"] = new JsonObject { ["nonce"] = nonce, ["tee-pubkey"] = pub.DeepClone() },
        ["tee-evidence"] = new JsonObject { ["primary_evidence"] = new JsonObject { ["svn"] = "1", ["report_data"] = Convert.ToBase64String(digest) }, ["additional_evidence"] = "" },
    };
    using var attest = await http.PostAsync("/kbs/v0/attest", Json(attestation.ToJsonString()));
    attest.EnsureSuccessStatusCode();
    using var resource = await http.GetAsync("/kbs/v0/resource/default/key/1");
    resource.EnsureSuccessStatusCode();
    var jwe = (JsonObject)JsonNode.Parse(await resource.Content.ReadAsStringAsync())!;
    if (KbsJwe.Decrypt(jwe, tee).Length != 32)
    {
        throw new InvalidOperationException("wrong resource");
    }
}

async Task<(long Count, double Seconds)> RunHandshakes(TimeSpan duration)
{
    long count = 0;
    var stop = Stopwatch.StartNew();
    var workers = Enumerable.Range(0, concurrency).Select(async _ =>
    {
        using var tee = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        var p = tee.ExportParameters(false);
        var pub = new JsonObject { ["kty"] = "EC", ["crv"] = "P-256", ["alg"] = "ECDH-ES+A256KW", ["x"] = Base64UrlText.Encode(p.Q.X), ["y"] = Base64UrlText.Encode(p.Q.Y) };
        while (stop.Elapsed < duration)
        {
            using var http = new HttpClient(new SocketsHttpHandler { UseCookies = true }) { BaseAddress = baseUri };
            await Handshake(http, tee, pub);
            Interlocked.Increment(ref count);
        }
    }).ToArray();
    await Task.WhenAll(workers);
    return (count, stop.Elapsed.TotalSeconds);
}

// The floor: the cryptography of one handshake, both sides (server: session seal x2 + unseal x2, JCS + SHA-384,
// ES256 token sign + verify, JWE ECDH-ES+A256KW P-256 + AES-GCM; guest: JCS + SHA-384, ECDH + unwrap + GCM decrypt).
(long Count, double Seconds) RunCrypto(TimeSpan duration)
{
    using var tee = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
    var p = tee.ExportParameters(false);
    var pub = new JsonObject { ["kty"] = "EC", ["crv"] = "P-256", ["alg"] = "ECDH-ES+A256KW", ["x"] = Base64UrlText.Encode(p.Q.X), ["y"] = Base64UrlText.Encode(p.Q.Y) };
    var teeKey = TeePublicKey.Parse(pub);
    using var signing = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    var issuer = new EarTokenIssuer(signing, TimeProvider.System, TimeSpan.FromMinutes(5));
    var verifier = new EarTokenVerifier([signing], TimeProvider.System);
    var sealer = new SessionSealer(RandomNumberGenerator.GetBytes(32));
    var secret = RandomNumberGenerator.GetBytes(32);
    long count = 0;
    var stop = Stopwatch.StartNew();
    while (stop.Elapsed < duration)
    {
        var nonce = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var state = new SessionState { Id = "x", Tee = "sample", Nonce = nonce, ExpiresAtUnixSeconds = 0 };
        var authed = sealer.Seal(state);
        _ = sealer.Unseal(authed);
        var runtime = RuntimeDataBinding.Build(nonce, teeKey.Jwk, "");
        _ = RuntimeDataBinding.Digest(runtime);
        _ = RuntimeDataBinding.Digest(runtime);
        var token = issuer.Issue(new JsonObject { ["submods"] = new JsonObject { ["cpu0"] = new JsonObject { ["ear.status"] = "affirming", ["ear.veraison.annotated-evidence"] = new JsonObject { ["runtime_data_claims"] = runtime } } } });
        var attested = sealer.Seal(state with { Token = token });
        _ = sealer.Unseal(attested);
        _ = verifier.Verify(token);
        var jwe = KbsJwe.Encrypt(secret, teeKey);
        _ = KbsJwe.Decrypt(jwe, tee);
        count++;
    }

    return (count, stop.Elapsed.TotalSeconds);
}

var warm = TimeSpan.FromSeconds(Math.Max(1, seconds / 5));
await RunHandshakes(warm);
RunCrypto(warm);
var crypto = RunCrypto(TimeSpan.FromSeconds(seconds));
var handshakes = await RunHandshakes(TimeSpan.FromSeconds(seconds));
var cryptoRate = crypto.Count / crypto.Seconds;
var handshakeRate = handshakes.Count / handshakes.Seconds;
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"cpus={Environment.ProcessorCount} concurrency={concurrency} seconds={seconds}"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"bare crypto per handshake (1 thread): {cryptoRate:F0}/s ({1000.0 / cryptoRate:F3} ms each)"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"full handshakes on loopback (auth+attest+resource, {concurrency} clients): {handshakeRate:F0}/s ({handshakes.Count} in {handshakes.Seconds:F1} s)"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"handshake cost / crypto floor (per core): {cryptoRate * Math.Min(concurrency, Environment.ProcessorCount) / handshakeRate:F2}x"));
await app.StopAsync();
