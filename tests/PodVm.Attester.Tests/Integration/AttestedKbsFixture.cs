using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PodVm.Attestation.Kbs;
using PodVm.Attestation.ReferenceValues;
using PodVm.Attestation.Verifiers.LocalDev;
using PodVm.Attester.Tests.Evidence;
using PodVm.Kbs;

namespace PodVm.Attester.Tests.Integration;

/// <summary>
/// The real KBS in-process on 127.0.0.1 (local development TEE verifier trusting <see cref="PlatformKey"/>, a policy
/// that affirms <see cref="Measurement"/>, secrets in memory) and a fake local provider signing reports on a unix
/// socket, as the pod VM's side channel.
/// </summary>
internal sealed class AttestedKbsFixture : IAsyncDisposable
{
    public const string AttestationPolicy = """
        {"version":"0.1.0","id":"default","allowed_tees":["local-dev"],"deny_debug":true,"require_reference_values":true,
         "rules":{"local-dev":[{"claim":"/measurement","reference":"local_dev_measurement","component":"executables","affirm":3}]}}
        """;

    public const string ResourcePolicy = """
        {"version":"0.1.0","rules":[
          {"effect":"deny","paths":["default/denied/*"]},
          {"effect":"allow","paths":["*/*/*"],"status":"affirming"}]}
        """;

    private readonly WebApplication _app;

    private AttestedKbsFixture(WebApplication app, TempDirectory dir, ECDsa platformKey, InMemoryKbsStore store, CapturingLoggerProvider kbsLogs)
    {
        _app = app;
        Directory = dir;
        PlatformKey = platformKey;
        Store = store;
        KbsLogs = kbsLogs;
    }

    public TempDirectory Directory { get; }

    public ECDsa PlatformKey { get; }

    /// <summary>Policies and nonces (in memory).</summary>
    public InMemoryKbsStore Store { get; }

    /// <summary>Resources: the KBS's own SQLite store (the in-memory store hands out its stored array, which the KBS zeroes after use).</summary>
    public IResourceStore Resources => _app.Services.GetRequiredService<IResourceStore>();

    public CapturingLoggerProvider KbsLogs { get; }

    public static byte[] Measurement { get; } = SHA384.HashData("podvm-attester test image"u8);

    public Uri KbsUri => _app.Services.GetRequiredService<KbsBoundEndpoints>().HttpUris[0];

    public static async Task<AttestedKbsFixture> StartAsync(params string[] extraArgs)
    {
        var dir = new TempDirectory();
        var platformKey = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var platformPem = dir.File("platform.pub.pem", platformKey.ExportSubjectPublicKeyInfoPem());
        var store = new InMemoryKbsStore(TimeProvider.System);
        var referenceValues = new InMemoryReferenceValueStore(TimeProvider.System);
        await referenceValues.SetAsync(
            [new ReferenceValue { Name = "local_dev_measurement", Values = [JsonValue.Create(Convert.ToHexStringLower(Measurement))], Expiration = DateTimeOffset.UtcNow.AddDays(1) }],
            CancellationToken.None);
        await store.SetAttestationPolicyAsync("default", AttestationPolicy, CancellationToken.None);
        await store.SetResourcePolicyAsync(ResourcePolicy, CancellationToken.None);
        var logs = new CapturingLoggerProvider();
        var app = KbsHost.Build(
            [
                "--Kbs:Urls:0=http://127.0.0.1:0",
                $"--Kbs:DatabasePath={dir.Combine("kbs.db")}",
                $"--Kbs:LocalDevPlatformKeyFiles:0={platformPem}",
                .. extraArgs,
            ],
            configureServices: services =>
            {
                services.AddSingleton<IPolicyStore>(store);
                services.AddSingleton<INonceLedger>(store);
                services.AddSingleton<IReferenceValueStore>(referenceValues);
                services.AddSingleton<ILoggerProvider>(logs);
            });
        await app.StartAsync().DefaultTimeout();
        return new AttestedKbsFixture(app, dir, platformKey, store, logs);
    }

    /// <summary>A fake local provider answering tee-report requests with reports signed by <paramref name="signingKey"/>.</summary>
    public FakeLocalDevHost StartLocalProvider(ECDsa? signingKey = null, byte[]? hostData = null, string name = "podvm.side")
    {
        var signer = new LocalDevTeeReportSigner(signingKey ?? PlatformKey);
        return new FakeLocalDevHost(Directory.Combine(name), request =>
        {
            var report = signer.Sign(new LocalDevTeeReport
            {
                Measurement = Measurement,
                HostData = hostData ?? new byte[32],
                ReportData = Convert.FromBase64String((string)request["report_data"]!),
                Timestamp = DateTimeOffset.UtcNow,
            });
            return [FakeLocalDevHost.Reply((string)request["id"]!, report: Convert.ToBase64String(report))];
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().DefaultTimeout();
        await _app.DisposeAsync();
        PlatformKey.Dispose();
        Directory.Dispose();
    }
}
