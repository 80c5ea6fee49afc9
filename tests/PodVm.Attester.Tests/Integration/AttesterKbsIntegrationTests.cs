using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using PodVm.Attestation.Verification;
using PodVm.Attestation.Verifiers;
using PodVm.Attestation.Verifiers.LocalDev;
using PodVm.Attester.Configuration;
using PodVm.Attester.Evidence;
using PodVm.Attester.Kbs;
using PodVm.PodVmConfig;

namespace PodVm.Attester.Tests.Integration;

/// <summary>podvm-attester against the real KBS: RCAR with local-dev evidence from a fake local provider, secrets through 127.0.0.1.</summary>
public sealed class AttesterKbsIntegrationTests
{
    private static readonly byte[] Secret = Encoding.ASCII.GetBytes("podvm-secret-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)));

    private static AttesterOptions Options(AttestedKbsFixture kbs, string sideChannel, Uri? kbsUrl = null, string? initData = null) => new()
    {
        KbsUrl = kbsUrl ?? kbs.KbsUri,
        Listen = new IPEndPoint(IPAddress.Loopback, 0),
        Tee = TeeSelection.LocalDev,
        SideChannelPath = sideChannel,
        CdhConfigPath = kbs.Directory.Combine("no-cdh.toml"),
        AaConfigPath = kbs.Directory.Combine("no-aa.toml"),
        InitDataPath = initData ?? kbs.Directory.Combine("no-initdata"),
    };

    private static async Task<(int Status, byte[] Body)> GetAsync(AttesterHost attester, string path)
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://{attester.LocalEndPoint}"), Timeout = TaskTimeoutExtensions.Default };
        using var response = await http.GetAsync(path).DefaultTimeout();
        return ((int)response.StatusCode, await response.Content.ReadAsByteArrayAsync().DefaultTimeout());
    }

    [Fact]
    public async Task GetResource_AttestedLocalDevVm_ReturnsTheSecretAndAttestsOnce()
    {
        await using var kbs = await AttestedKbsFixture.StartAsync();
        await kbs.Resources.SetResourceAsync("default/key/1", Secret, CancellationToken.None);
        await using var provider = kbs.StartLocalProvider();
        var attesterLogs = new CapturingLoggerProvider();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(attesterLogs));
        await using var attester = AttesterHost.Start(Options(kbs, provider.SocketPath), loggers, TimeProvider.System);

        var first = await GetAsync(attester, "/cdh/resource/default/key/1");
        var second = await GetAsync(attester, "/cdh/resource/default/key/1");

        Assert.Equal(200, first.Status);
        Assert.Equal(Secret, first.Body);
        Assert.Equal(Secret, second.Body);
        Assert.Single(provider.Requests);
        var secretText = Encoding.ASCII.GetString(Secret);
        foreach (var logs in new[] { kbs.KbsLogs.All, attesterLogs.All })
        {
            Assert.DoesNotContain(secretText, logs);
            Assert.DoesNotContain(Convert.ToBase64String(Secret), logs);
            Assert.DoesNotContain(Convert.ToHexString(Secret), logs, StringComparison.OrdinalIgnoreCase);
        }

        Assert.Contains("/cdh/resource/default/key/1 -> 200", attesterLogs.All);
    }

    [Fact]
    public async Task GetResource_ReportSignedByAnUntrustedKey_Answers403WithTheKbsReason()
    {
        await using var kbs = await AttestedKbsFixture.StartAsync();
        await kbs.Resources.SetResourceAsync("default/key/1", Secret, CancellationToken.None);
        using var rogue = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        await using var provider = kbs.StartLocalProvider(rogue);
        await using var attester = AttesterHost.Start(Options(kbs, provider.SocketPath), LoggerFactory.Create(_ => { }), TimeProvider.System);

        var (status, body) = await GetAsync(attester, "/cdh/resource/default/key/1");

        Assert.Equal(403, status);
        var error = JsonDocument.Parse(body).RootElement.GetProperty("error").GetString()!;
        Assert.Contains("refused this VM's local-dev evidence", error);
        Assert.Contains("AttestationKeyUntrusted", error);
        Assert.DoesNotContain(Encoding.ASCII.GetString(Secret), kbs.KbsLogs.All);
    }

    [Fact]
    public async Task GetResource_ResourcePolicyDenies_Answers403()
    {
        await using var kbs = await AttestedKbsFixture.StartAsync();
        await kbs.Resources.SetResourceAsync("default/denied/1", Secret, CancellationToken.None);
        await using var provider = kbs.StartLocalProvider();
        await using var attester = AttesterHost.Start(Options(kbs, provider.SocketPath), LoggerFactory.Create(_ => { }), TimeProvider.System);

        var (status, body) = await GetAsync(attester, "/cdh/resource/default/denied/1");

        Assert.Equal(403, status);
        Assert.Contains("denied", JsonDocument.Parse(body).RootElement.GetProperty("error").GetString());
    }

    [Fact]
    public async Task GetResource_UnknownResource_Answers404()
    {
        await using var kbs = await AttestedKbsFixture.StartAsync();
        await using var provider = kbs.StartLocalProvider();
        await using var attester = AttesterHost.Start(Options(kbs, provider.SocketPath), LoggerFactory.Create(_ => { }), TimeProvider.System);

        Assert.Equal(404, (await GetAsync(attester, "/cdh/resource/default/key/missing")).Status);
    }

    [Fact]
    public async Task GetResource_InitDataBoundIntoHostData_IsReleased_AndAMismatchIsDenied()
    {
        await using var kbs = await AttestedKbsFixture.StartAsync();
        await kbs.Resources.SetResourceAsync("default/key/1", Secret, CancellationToken.None);
        var toml = "algorithm = \"sha384\"\nversion = \"0.1.0\"\n\n[data]\n\"cdh.toml\" = '''\n[kbc]\nname = \"cc_kbc\"\nurl = \"http://127.0.0.1:1\"\n'''\n"u8.ToArray();
        var initDataFile = kbs.Directory.File("initdata", InitDataCodec.Encode(toml));
        var hostData = SHA384.HashData(toml)[..32];

        await using (var bound = kbs.StartLocalProvider(hostData: hostData, name: "bound.side"))
        await using (var attester = AttesterHost.Start(Options(kbs, bound.SocketPath, initData: initDataFile), LoggerFactory.Create(_ => { }), TimeProvider.System))
        {
            var (status, body) = await GetAsync(attester, "/cdh/resource/default/key/1");
            Assert.Equal(200, status);
            Assert.Equal(Secret, body);
        }

        await using (var other = kbs.StartLocalProvider(hostData: new byte[32], name: "other.side"))
        await using (var attester = AttesterHost.Start(Options(kbs, other.SocketPath, initData: initDataFile), LoggerFactory.Create(_ => { }), TimeProvider.System))
        {
            var (status, body) = await GetAsync(attester, "/cdh/resource/default/key/1");
            Assert.Equal(403, status);
            Assert.Contains("InitDataMismatch", JsonDocument.Parse(body).RootElement.GetProperty("error").GetString());
        }
    }

    [Fact]
    public async Task GetResource_ShortTokenLifetime_AttestsAgainForEachFetch()
    {
        await using var kbs = await AttestedKbsFixture.StartAsync("--Kbs:TokenLifetime=00:00:10");
        await kbs.Resources.SetResourceAsync("default/key/1", Secret, CancellationToken.None);
        await using var provider = kbs.StartLocalProvider();
        await using var attester = AttesterHost.Start(Options(kbs, provider.SocketPath), LoggerFactory.Create(_ => { }), TimeProvider.System);

        Assert.Equal(200, (await GetAsync(attester, "/cdh/resource/default/key/1")).Status);
        Assert.Equal(200, (await GetAsync(attester, "/cdh/resource/default/key/1")).Status);

        Assert.Equal(2, provider.Requests.Count);
    }

    [Fact]
    public async Task GetResourceAsync_KbsAnswers401_AttestsAgainOnceAndSucceeds()
    {
        await using var kbs = await AttestedKbsFixture.StartAsync();
        await kbs.Resources.SetResourceAsync("default/key/1", Secret, CancellationToken.None);
        await using var provider = kbs.StartLocalProvider();
        using var side = new SideChannelClient(new DeviceSideChannelTransport(provider.SocketPath, TimeProvider.System), TimeProvider.System);
        var spoiler = new SpoilFirstResourceRequest { InnerHandler = new SocketsHttpHandler { UseCookies = false } };
        using var client = new KbsClient(new KbsEndpointConfig(kbs.KbsUri, null, "test"), new LocalDevEvidenceProvider(side), TimeProvider.System, LoggerFactory.Create(_ => { }).CreateLogger("t"), null, spoiler);

        var secret = await client.GetResourceAsync("default/key/1", CancellationToken.None).DefaultTimeout();

        Assert.Equal(Secret, secret);
        Assert.Equal(2, provider.Requests.Count);
        Assert.Equal(1, spoiler.Spoiled);
    }

    [Fact]
    public async Task GetResource_KbsNotListening_Answers502ConnectionRefused()
    {
        await using var kbs = await AttestedKbsFixture.StartAsync();
        await using var provider = kbs.StartLocalProvider();
        using var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var closedPort = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        await using var attester = AttesterHost.Start(Options(kbs, provider.SocketPath, new Uri($"http://127.0.0.1:{closedPort}")), LoggerFactory.Create(_ => { }), TimeProvider.System);

        var (status, body) = await GetAsync(attester, "/cdh/resource/default/key/1");

        Assert.Equal(502, status);
        Assert.Contains("refused the connection", JsonDocument.Parse(body).RootElement.GetProperty("error").GetString());
    }

    [Fact]
    public async Task GetEvidence_RuntimeData_ReturnsALocalDevReportOverIt()
    {
        await using var kbs = await AttestedKbsFixture.StartAsync();
        await using var provider = kbs.StartLocalProvider();
        await using var attester = AttesterHost.Start(Options(kbs, provider.SocketPath), LoggerFactory.Create(_ => { }), TimeProvider.System);

        var (status, body) = await GetAsync(attester, "/aa/evidence?runtime_data=hello%20world");

        Assert.Equal(200, status);
        var expected = new byte[64];
        "hello world"u8.CopyTo(expected);
        var verifier = EvidenceVerifiers.CreateLocalDev(new LocalDevTeeVerifierOptions { TrustedPlatformKeys = [kbs.PlatformKey.ExportSubjectPublicKeyInfo()] }, TimeProvider.System);
        var result = await verifier.VerifyAsync(new EvidenceToVerify { Evidence = body, ExpectedReportData = expected }, CancellationToken.None).AsTask().DefaultTimeout();
        Assert.True(result.IsVerified, result.Failure?.ToString());
        Assert.Equal(400, (await GetAsync(attester, "/aa/evidence?runtime_data=" + new string('x', 65))).Status);
        Assert.Equal(400, (await GetAsync(attester, "/aa/evidence")).Status);
    }

    [Fact]
    public async Task Attest_LocalDevEvidenceReplayedIntoASecondSession_DeniedWithAttestationError()
    {
        await using var kbs = await AttestedKbsFixture.StartAsync();
        await kbs.Resources.SetResourceAsync("default/key/1", Secret, CancellationToken.None);
        await using var provider = kbs.StartLocalProvider();
        using var side = new SideChannelClient(new DeviceSideChannelTransport(provider.SocketPath, TimeProvider.System), TimeProvider.System);
        var recorder = new RecordHandshake { InnerHandler = new SocketsHttpHandler { UseCookies = false } };
        using (var client = new KbsClient(new KbsEndpointConfig(kbs.KbsUri, null, "test"), new LocalDevEvidenceProvider(side), TimeProvider.System, LoggerFactory.Create(_ => { }).CreateLogger("t"), null, recorder))
        {
            Assert.Equal(Secret, await client.GetResourceAsync("default/key/1", CancellationToken.None).DefaultTimeout());
        }

        // An eavesdropper replays the VM's auth and attest bodies: the KBS issues a new nonce for the new session,
        // and the report's REPORT_DATA is bound to the old one.
        using var http = new HttpClient(new SocketsHttpHandler { UseCookies = false }) { BaseAddress = kbs.KbsUri, Timeout = TaskTimeoutExtensions.Default };
        using var auth = await http.PostAsync("kbs/v0/auth", new StringContent(recorder.AuthBody!, Encoding.UTF8, "application/json")).DefaultTimeout();
        Assert.Equal(HttpStatusCode.OK, auth.StatusCode);
        var cookie = auth.Headers.GetValues("Set-Cookie").First().Split(';')[0];
        using var attest = new HttpRequestMessage(HttpMethod.Post, "kbs/v0/attest") { Content = new StringContent(recorder.AttestBody!, Encoding.UTF8, "application/json") };
        attest.Headers.Add("Cookie", cookie);
        using var replayed = await http.SendAsync(attest).DefaultTimeout();

        Assert.Equal(HttpStatusCode.Unauthorized, replayed.StatusCode);
        var error = JsonDocument.Parse(await replayed.Content.ReadAsStringAsync()).RootElement;
        Assert.EndsWith("AttestationError", error.GetProperty("type").GetString(), StringComparison.Ordinal);
        Assert.Single(provider.Requests);
    }

    /// <summary>Keeps the bodies of the first auth and attest requests, as someone on the path could.</summary>
    private sealed class RecordHandshake : DelegatingHandler
    {
        public string? AuthBody { get; private set; }

        public string? AttestBody { get; private set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var path = request.RequestUri!.AbsolutePath;
            if (request.Content is not null && path.EndsWith("/auth", StringComparison.Ordinal))
            {
                AuthBody ??= await request.Content.ReadAsStringAsync(cancellationToken);
            }
            else if (request.Content is not null && path.EndsWith("/attest", StringComparison.Ordinal))
            {
                AttestBody ??= await request.Content.ReadAsStringAsync(cancellationToken);
            }

            return await base.SendAsync(request, cancellationToken);
        }
    }

    /// <summary>Replaces the first resource request's credentials, so the KBS answers 401 once.</summary>
    private sealed class SpoilFirstResourceRequest : DelegatingHandler
    {
        public int Spoiled { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (Spoiled == 0 && request.RequestUri!.AbsolutePath.Contains("/resource/", StringComparison.Ordinal))
            {
                Spoiled++;
                request.Headers.Remove("Cookie");
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "eyJhbGciOiJFUzI1NiJ9.eyJleHAiOjF9.AAAA");
            }

            return base.SendAsync(request, cancellationToken);
        }
    }
}
