using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using PodVm.Attestation.Verification;
using PodVm.Kbs;

namespace PodVm.Attestation.Tests.Kbs;

/// <summary>An in-process KBS on 127.0.0.1 (port 0) with a temporary SQLite file, the sample test verifier and an admin key.</summary>
internal sealed class KbsTestHost : IAsyncDisposable
{
    public const string GrpcToken = "test-grpc-token";

    private readonly WebApplication _app;

    private KbsTestHost(WebApplication app, string directory, ECDsa adminKey)
    {
        _app = app;
        Directory = directory;
        AdminKey = adminKey;
    }

    public string Directory { get; }

    public ECDsa AdminKey { get; }

    public Uri BaseUri => _app.Services.GetRequiredService<KbsBoundEndpoints>().HttpUris[0];

    public Uri GrpcUri => _app.Services.GetRequiredService<KbsBoundEndpoints>().GrpcUris[0];

    public IServiceProvider Services => _app.Services;

    public static async Task<KbsTestHost> StartAsync(
        string? directory = null,
        ECDsa? adminKey = null,
        TimeProvider? time = null,
        bool grpc = false,
        IEnumerable<string>? extraArgs = null,
        Action<IServiceCollection>? configure = null)
    {
        directory ??= System.IO.Directory.CreateTempSubdirectory("podvm-kbs-test").FullName;
        adminKey ??= ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var adminPem = Path.Combine(directory, "admin.pub.pem");
        await File.WriteAllTextAsync(adminPem, adminKey.ExportSubjectPublicKeyInfoPem());
        var args = new List<string>
        {
            "--Kbs:Urls:0=http://127.0.0.1:0",
            $"--Kbs:DatabasePath={Path.Combine(directory, "kbs.db")}",
            $"--Kbs:AdminPublicKeyFiles:0={adminPem}",
            "--Kbs:AllowUnsignedReferenceValues=true",
        };
        if (grpc)
        {
            args.Add("--Kbs:GrpcUrls:0=http://127.0.0.1:0");
            args.Add($"--Kbs:GrpcToken={GrpcToken}");
        }

        args.AddRange(extraArgs ?? []);
        var app = KbsHost.Build([.. args], configureServices: services =>
        {
            services.AddSingleton<IEvidenceVerifier, SampleTestVerifier>();
            if (time is not null)
            {
                services.AddSingleton(time);
            }

            configure?.Invoke(services);
        });
        await app.StartAsync().DefaultTimeout();
        return new KbsTestHost(app, directory, adminKey);
    }

    public HttpClient CreateClient() => new(new HttpClientHandler { UseCookies = true, CookieContainer = new System.Net.CookieContainer() }) { BaseAddress = BaseUri };

    public string AdminToken() => AdminAuthenticator.CreateToken(AdminKey, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5));

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().DefaultTimeout();
        await _app.DisposeAsync();
    }
}
