using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Runtime;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PodVm.Attestation.Kbs;
using PodVm.Attestation.Verification;
using PodVm.Attestation.Verifiers.LocalDev;
using PodVm.Kbs;
using PodVm.Kbs.Benchmarks;

// Full RCAR handshakes on loopback against the real in-process KBS (auth -> attest -> resource -> JWE decrypted by the
// client; a new HTTP connection and cookie per handshake) for three TEEs, each beside its floor measured in the same
// process and round: the bare cryptography one handshake cannot avoid.
//   snp       : Trustee SnpEvidence JSON of the real Genoa vector, verified by the real SNP verifier (chain cached)
//               with the expected REPORT_DATA replaced by the vector's fixed value (BenchSnpVerifier, see there);
//   local-dev : the local development TEE, a COSE_Sign1 ES384 report over this handshake's runtime data, signed per
//               handshake by a throw-away platform key the KBS trusts (the host side's work is in the figure);
//   sample    : Trustee's sample evidence (no signature): the KBS's own overhead.
// Usage: [seconds per measurement] [concurrent clients] [rounds]
var seconds = args.Length > 0 ? double.Parse(args[0], CultureInfo.InvariantCulture) : 5;
var concurrency = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 4;
var rounds = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 3;

var vectors = FindVectors();
var snpJson = File.ReadAllText(Path.Combine(vectors, "trustee-snp/e2e-genoa-evidence.json")).Trim();
var snpReport = File.ReadAllBytes(Path.Combine(vectors, "trustee-snp/e2e-genoa-report.DERIVED.bin"));
using var snpVcek = LoadVcekKey(Path.Combine(vectors, "trustee-snp/e2e-genoa-vcek.DERIVED.der"));
var snpSignature = SnpSignatureP1363(snpReport);
var snpReportData = snpReport.AsSpan(0x50, 64).ToArray();
var snpMeasurement = Convert.ToHexStringLower(snpReport.AsSpan(0x90, 48));

var dir = Directory.CreateTempSubdirectory("podvm-kbs-bench").FullName;
using var admin = ECDsa.Create(ECCurve.NamedCurves.nistP256);
var adminPem = Path.Combine(dir, "admin.pub.pem");
File.WriteAllText(adminPem, admin.ExportSubjectPublicKeyInfoPem());
using var platform = ECDsa.Create(ECCurve.NamedCurves.nistP384);
var platformPem = Path.Combine(dir, "platform.pub.pem");
File.WriteAllText(platformPem, platform.ExportSubjectPublicKeyInfoPem());
var platformSigner = new LocalDevTeeReportSigner(platform);
var localMeasurement = SHA384.HashData("podvm kbs benchmark image"u8);

await using var app = KbsHost.Build(
    [
        "--Kbs:Urls:0=http://127.0.0.1:0",
        $"--Kbs:DatabasePath={Path.Combine(dir, "kbs.db")}",
        $"--Kbs:AdminPublicKeyFiles:0={adminPem}",
        $"--Kbs:LocalDevPlatformKeyFiles:0={platformPem}",
        "--Kbs:AllowUnsignedReferenceValues=true",
        "--Kbs:RateLimitPerSecond=1000000",
        "--Kbs:RateLimitBurst=1000000",
        "--Logging:LogLevel:Default=Warning",
    ],
    configureServices: services =>
    {
        services.AddSingleton<IEvidenceVerifier, BenchSampleVerifier>();
        services.AddSingleton<IEvidenceVerifier>(new BenchSnpVerifier(snpReportData));
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

// The default policy's SNP rules (measurement and the four TCB minimums) with the vector's values as reference values;
// the local development TEE's measurement; the sample TEE's svn. Debug denied, reference values required.
var policy = """
    {"version":"0.1.0","id":"default","allowed_tees":["sample","snp","local-dev"],"deny_debug":true,"require_reference_values":true,
     "rules":{
       "sample":[{"claim":"/svn","reference":"sample_svn","match":"min","component":"hardware"}],
       "snp":[
         {"claim":["/measurement"],"reference":"snp_launch_measurement","component":"executables","affirm":3},
         {"claim":["/reported_tcb/bootloader"],"reference":"snp_bootloader","match":"min","component":"hardware"},
         {"claim":["/reported_tcb/tee"],"reference":"snp_tee_svn","match":"min","component":"hardware"},
         {"claim":["/reported_tcb/snp"],"reference":"snp_snp_svn","match":"min","component":"hardware"},
         {"claim":["/reported_tcb/microcode"],"reference":"snp_microcode","match":"min","component":"hardware"}],
       "local-dev":[{"claim":"/measurement","reference":"local_dev_measurement","component":"executables","affirm":3}]}}
    """;
await Admin("/kbs/v0/attestation-policy", Json(new JsonObject { ["policy_id"] = "default", ["policy"] = policy }.ToJsonString()));
await Admin("/kbs/v0/resource-policy", Json(new JsonObject { ["policy"] = """{"version":"0.1.0","rules":[{"effect":"allow","paths":["*/*/*"],"status":"affirming","tees":["sample","snp","local-dev"]}]}""" }.ToJsonString()));
var referenceValues = new JsonObject
{
    ["sample_svn"] = new JsonArray("1"),
    ["snp_launch_measurement"] = new JsonArray(snpMeasurement),
    ["snp_bootloader"] = new JsonArray("10"),
    ["snp_tee_svn"] = new JsonArray("0"),
    ["snp_snp_svn"] = new JsonArray("23"),
    ["snp_microcode"] = new JsonArray("25"),
    ["local_dev_measurement"] = new JsonArray(Convert.ToHexStringLower(localMeasurement)),
};
await Admin("/kbs/v0/reference-value", Json(new JsonObject { ["version"] = "0.1.0", ["type"] = "sample", ["payload"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(referenceValues.ToJsonString())) }.ToJsonString()));
await Admin("/kbs/v0/resource/default/key/1", new ByteArrayContent(RandomNumberGenerator.GetBytes(32)));

string LocalDevEvidence(byte[] digest)
{
    var reportData = new byte[LocalDevTeeReport.ReportDataLength];
    digest.CopyTo(reportData, 0);
    var report = new LocalDevTeeReport { Measurement = localMeasurement, HostData = new byte[LocalDevTeeReport.HostDataLength], ReportData = reportData, Timestamp = DateTimeOffset.UtcNow };
    return new JsonObject { ["report"] = Convert.ToBase64String(platformSigner.Sign(report)) }.ToJsonString();
}

var cases = new[]
{
    new TeeCase("snp", "snp", _ => snpJson, () => snpVcek.VerifyData(snpReport.AsSpan(0, 0x2A0), snpSignature, HashAlgorithmName.SHA384, DSASignatureFormat.IeeeP1363FixedFieldConcatenation)),
    new TeeCase("local-dev", "local-dev", LocalDevEvidence, () =>
    {
        var payload = new byte[400];
        var signature = platform.SignData(payload, HashAlgorithmName.SHA384);
        return platform.VerifyData(payload, signature, HashAlgorithmName.SHA384);
    }),
    new TeeCase("sample", "sample", digest => new JsonObject { ["svn"] = "1", ["report_data"] = Convert.ToBase64String(digest) }.ToJsonString(), () => true),
};

// The client does what the guest's attester (attestation/PodVm.Attester/Kbs/KbsClient.cs) does: one HttpClient without
// a cookie container, the kbs-session-id cookie taken from Set-Cookie and sent back in a Cookie header, the token also
// as a Bearer on /resource; the three requests of one handshake share one keep-alive connection.
async Task Handshake(TeeCase tee, HttpClient http, ECDiffieHellman teeKey, JsonObject pub)
{
    using var authRequest = new HttpRequestMessage(HttpMethod.Post, "/kbs/v0/auth") { Content = Json($$"""{"version":"0.4.0","tee":"{{tee.Tee}}","extra-params":""}""") };
    using var auth = await http.SendAsync(authRequest);
    auth.EnsureSuccessStatusCode();
    var cookie = SessionCookie(auth) ?? throw new InvalidOperationException("no session cookie on /auth");
    var nonce = (string)JsonNode.Parse(await auth.Content.ReadAsStringAsync())!["nonce"]!;
    var digest = SHA384.HashData(Jcs.Canonicalize(RuntimeDataBinding.Build(nonce, pub, "")));
    var runtimeData = new JsonObject { ["nonce"] = nonce, ["tee-pubkey"] = pub.DeepClone() }.ToJsonString();
    var body = $$$"""{"runtime-data":{{{runtimeData}}},"tee-evidence":{"primary_evidence":{{{tee.Evidence(digest)}}},"additional_evidence":""}}""";
    using var attestRequest = new HttpRequestMessage(HttpMethod.Post, "/kbs/v0/attest") { Content = Json(body) };
    attestRequest.Headers.Add("Cookie", cookie);
    using var attest = await http.SendAsync(attestRequest);
    if (!attest.IsSuccessStatusCode)
    {
        throw new InvalidOperationException($"{tee.Name} attest: {(int)attest.StatusCode} {await attest.Content.ReadAsStringAsync()}");
    }

    cookie = SessionCookie(attest) ?? cookie;
    var token = (string)JsonNode.Parse(await attest.Content.ReadAsStringAsync())!["token"]!;
    using var resourceRequest = new HttpRequestMessage(HttpMethod.Get, "/kbs/v0/resource/default/key/1");
    resourceRequest.Headers.Add("Cookie", cookie);
    resourceRequest.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
    using var resource = await http.SendAsync(resourceRequest);
    if (!resource.IsSuccessStatusCode)
    {
        throw new InvalidOperationException($"{tee.Name} resource: {(int)resource.StatusCode} {await resource.Content.ReadAsStringAsync()}");
    }

    var jwe = (JsonObject)JsonNode.Parse(await resource.Content.ReadAsStringAsync())!;
    if (KbsJwe.Decrypt(jwe, teeKey).Length != 32)
    {
        throw new InvalidOperationException("wrong resource");
    }
}

// A new client (so a new TCP connection) per handshake, as a guest does once per boot.
HttpClient NewClient() => new(new SocketsHttpHandler { UseCookies = false, AllowAutoRedirect = false, UseProxy = false }) { BaseAddress = baseUri };

// Handshakes by `clients` concurrent clients for `duration`: (count, seconds, median latency in ms).
async Task<(long Count, double Seconds, double MedianMs)> RunHandshakes(TeeCase tee, int clients, TimeSpan duration)
{
    var latencies = new List<double>();
    var stop = Stopwatch.StartNew();
    var workers = Enumerable.Range(0, clients).Select(async _ =>
    {
        using var teeKey = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        var p = teeKey.ExportParameters(false);
        var pub = new JsonObject { ["kty"] = "EC", ["crv"] = "P-256", ["alg"] = "ECDH-ES+A256KW", ["x"] = Base64UrlText.Encode(p.Q.X), ["y"] = Base64UrlText.Encode(p.Q.Y) };
        var mine = new List<double>();
        while (stop.Elapsed < duration)
        {
            var started = Stopwatch.GetTimestamp();
            using var http = NewClient();
            await Handshake(tee, http, teeKey, pub);
            mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        lock (latencies)
        {
            latencies.AddRange(mine);
        }
    }).ToArray();
    await Task.WhenAll(workers);
    return (latencies.Count, stop.Elapsed.TotalSeconds, Median(latencies));
}

// The floor: the cryptography of one handshake on both sides (server: session seal x2 + unseal x2, JCS + SHA-384,
// ES256 token sign + verify, JWE ECDH-ES+A256KW P-256 + AES-256-GCM; client: JCS + SHA-384, ECDH + unwrap + GCM
// decrypt) plus the TEE's own signature work (SNP: the report's ECDSA P-384 verification with an imported VCEK;
// local-dev: the platform's ES384 sign + verify). Returns one floor operation; keys are made once, as the KBS does.
Action FloorOperation(TeeCase tee)
{
    var teeKeyPair = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
    var p = teeKeyPair.ExportParameters(false);
    var pub = new JsonObject { ["kty"] = "EC", ["crv"] = "P-256", ["alg"] = "ECDH-ES+A256KW", ["x"] = Base64UrlText.Encode(p.Q.X), ["y"] = Base64UrlText.Encode(p.Q.Y) };
    var teeKey = TeePublicKey.Parse(pub);
    var signing = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    var issuer = new EarTokenIssuer(signing, TimeProvider.System, TimeSpan.FromMinutes(5));
    var verifier = new EarTokenVerifier([signing], TimeProvider.System);
    var sealer = new SessionSealer(RandomNumberGenerator.GetBytes(32));
    var secret = RandomNumberGenerator.GetBytes(32);
    return () =>
    {
        var nonce = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var state = new SessionState { Id = "x", Tee = tee.Tee, Nonce = nonce, ExpiresAtUnixSeconds = 0 };
        _ = sealer.Unseal(sealer.Seal(state));
        var runtime = RuntimeDataBinding.Build(nonce, teeKey.Jwk, "");
        _ = RuntimeDataBinding.Digest(runtime);
        _ = RuntimeDataBinding.Digest(runtime);
        if (!tee.FloorSignatures())
        {
            throw new InvalidOperationException("floor signature does not verify");
        }

        var token = issuer.Issue(new JsonObject { ["submods"] = new JsonObject { ["cpu0"] = new JsonObject { ["ear.status"] = "affirming", ["ear.veraison.annotated-evidence"] = new JsonObject { ["runtime_data_claims"] = runtime } } } });
        _ = sealer.Unseal(sealer.Seal(state with { Token = token }));
        _ = verifier.Verify(token);
        _ = KbsJwe.Decrypt(KbsJwe.Encrypt(secret, teeKey), teeKeyPair);
    };
}

// Floor and full handshake alternated one for one by a single client for `duration`, so both see the same machine
// load. Wall time per operation (median) and the process's CPU time per operation (mean: client, server, GC and
// JIT threads together), which on a shared machine is the steadier measure of cost.
async Task<Paired> RunPaired(TeeCase tee, TimeSpan duration)
{
    var floorOperation = FloorOperation(tee);
    using var teeKey = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
    var p = teeKey.ExportParameters(false);
    var pub = new JsonObject { ["kty"] = "EC", ["crv"] = "P-256", ["alg"] = "ECDH-ES+A256KW", ["x"] = Base64UrlText.Encode(p.Q.X), ["y"] = Base64UrlText.Encode(p.Q.Y) };
    var floors = new List<double>();
    var handshakes = new List<double>();
    TimeSpan floorCpu = TimeSpan.Zero, handshakeCpu = TimeSpan.Zero;
    var jitBefore = JitInfo.GetCompilationTime();
    var stop = Stopwatch.StartNew();
    while (stop.Elapsed < duration)
    {
        var cpu = Environment.CpuUsage.TotalTime;
        var started = Stopwatch.GetTimestamp();
        floorOperation();
        floors.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        var cpuAfterFloor = Environment.CpuUsage.TotalTime;
        floorCpu += cpuAfterFloor - cpu;
        started = Stopwatch.GetTimestamp();
        using (var http = NewClient())
        {
            await Handshake(tee, http, teeKey, pub);
        }

        handshakes.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        handshakeCpu += Environment.CpuUsage.TotalTime - cpuAfterFloor;
    }

    return new Paired(Median(floors), Median(handshakes), floorCpu.TotalMilliseconds / floors.Count, handshakeCpu.TotalMilliseconds / handshakes.Count, floors.Count, (JitInfo.GetCompilationTime() - jitBefore).TotalMilliseconds);
}

var duration = TimeSpan.FromSeconds(seconds);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"cpus={Environment.ProcessorCount} clients={concurrency} seconds={seconds} rounds={rounds} load={LoadAverage()}"));
Console.WriteLine("snp = the real SNP verifier on the Genoa vector with the expected REPORT_DATA replaced by the vector's fixed value (BENCHMARK verifier; the RCAR nonce binding cannot match a recorded report)");
// Warm-up until tiered compilation has settled: its background JIT (tier-1 and PGO-instrumented recompiles of the
// framework's hot methods, slow to finish on a loaded 2-core machine) runs beside the measured code and would count as
// process CPU of whatever is measured at the time, mostly of the handshakes, whose code paths are far longer than the
// floor's. A KBS serves for days; its steady state is what is measured. Passes over every TEE repeat until one
// compiles fewer than 20 methods (at most 4 minutes); the JIT time left inside each measurement is printed beside it.
var warmUp = Stopwatch.StartNew();
for (var pass = 1; ; pass++)
{
    var methodsBefore = JitInfo.GetCompiledMethodCount();
    foreach (var tee in cases)
    {
        await RunPaired(tee, duration / 2);
        await RunHandshakes(tee, concurrency, duration / 4);
    }

    var compiled = JitInfo.GetCompiledMethodCount() - methodsBefore;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"warm-up pass {pass}: {compiled} methods compiled, {warmUp.Elapsed.TotalSeconds:F0} s | load {LoadAverage()}"));
    if (compiled < 20 || warmUp.Elapsed > TimeSpan.FromMinutes(4))
    {
        break;
    }
}

var results = cases.ToDictionary(c => c.Name, _ => new List<(Paired Paired, double Rate)>());
for (var round = 1; round <= rounds; round++)
{
    foreach (var tee in cases)
    {
        var paired = await RunPaired(tee, duration);
        var concurrent = await RunHandshakes(tee, concurrency, duration);
        var rate = concurrent.Count / concurrent.Seconds;
        results[tee.Name].Add((paired, rate));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"round {round} {tee.Name,-9}: wall floor {paired.FloorMs:F3} ms, handshake {paired.HandshakeMs:F3} ms = {paired.HandshakeMs / paired.FloorMs:F2}x | cpu floor {paired.FloorCpuMs:F3} ms, handshake {paired.HandshakeCpuMs:F3} ms = {paired.HandshakeCpuMs / paired.FloorCpuMs:F2}x ({paired.Pairs} pairs, jit {paired.JitMs:F0} ms) | {concurrency} clients: {rate:F0}/s ({concurrent.Count} done) | load {LoadAverage()}"));
    }
}

Console.WriteLine();
Console.WriteLine("| TEE | floor, wall (median) | full handshake, wall (median) | wall ratio | floor, CPU | full handshake, CPU | CPU ratio | handshakes/s, " + concurrency.ToString(CultureInfo.InvariantCulture) + " clients |");
Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
foreach (var tee in cases)
{
    var r = results[tee.Name];
    string Ratios(Func<Paired, double> ratio) => string.Join(" / ", r.Select(x => ratio(x.Paired).ToString("F2", CultureInfo.InvariantCulture)));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| {tee.Name} | {Median(r.Select(x => x.Paired.FloorMs)):F3} ms | {Median(r.Select(x => x.Paired.HandshakeMs)):F3} ms | {Median(r.Select(x => x.Paired.HandshakeMs / x.Paired.FloorMs)):F2}x ({Ratios(x => x.HandshakeMs / x.FloorMs)}) | {Median(r.Select(x => x.Paired.FloorCpuMs)):F3} ms | {Median(r.Select(x => x.Paired.HandshakeCpuMs)):F3} ms | **{Median(r.Select(x => x.Paired.HandshakeCpuMs / x.Paired.FloorCpuMs)):F2}x** ({Ratios(x => x.HandshakeCpuMs / x.FloorCpuMs)}) | {Median(r.Select(x => x.Rate)):F0} |"));
}

await app.StopAsync();
Directory.Delete(dir, recursive: true);

static double Median(IEnumerable<double> values)
{
    var sorted = values.Order().ToArray();
    return sorted.Length == 0 ? double.NaN : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
}

// "kbs-session-id=<value>" from Set-Cookie, for a Cookie header (as the attester's KbsClient.SessionCookie).
static string? SessionCookie(HttpResponseMessage response)
{
    if (!response.Headers.TryGetValues("Set-Cookie", out var values))
    {
        return null;
    }

    foreach (var value in values)
    {
        var pair = value.Split(';', 2)[0].Trim();
        if (pair.StartsWith(RcarService.SessionCookieName + "=", StringComparison.Ordinal))
        {
            return pair;
        }
    }

    return null;
}

static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";

static ECDsa LoadVcekKey(string path)
{
    using var certificate = X509CertificateLoader.LoadCertificate(File.ReadAllBytes(path));
    return certificate.GetECDsaPublicKey() ?? throw new InvalidOperationException("the VCEK has no EC key");
}

static byte[] SnpSignatureP1363(byte[] report)
{
    var signature = new byte[96];
    report.AsSpan(0x2A0, 48).CopyTo(signature);
    report.AsSpan(0x2E8, 48).CopyTo(signature.AsSpan(48));
    signature.AsSpan(0, 48).Reverse();
    signature.AsSpan(48, 48).Reverse();
    return signature;
}

static string FindVectors()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        var candidate = Path.Combine(dir.FullName, "..", "shared", "attestation-vectors");
        if (File.Exists(Path.Combine(dir.FullName, "PodVm.sln")) && Directory.Exists(candidate))
        {
            return Path.GetFullPath(candidate);
        }
    }

    return Environment.GetEnvironmentVariable("PODVM_ATTESTATION_VECTORS") ?? throw new InvalidOperationException("attestation vectors not found (../shared/attestation-vectors beside the checkout, or PODVM_ATTESTATION_VECTORS)");
}
