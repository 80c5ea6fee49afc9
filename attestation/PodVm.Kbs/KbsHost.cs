using System.Net;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PodVm.Attestation.Kbs;
using PodVm.Attestation.ReferenceValues;
using PodVm.Attestation.Verification;
using PodVm.Attestation.Verifiers;
using PodVm.Attestation.Verifiers.LocalDev;
using PodVm.Attestation.Verifiers.Snp;

namespace PodVm.Kbs;

/// <summary>Builds the KBS web application (`podvm kbs serve`, tests and benchmarks host it in-process).</summary>
public static class KbsHost
{
    /// <summary>
    /// Builds the host. Configuration: defaults, then <paramref name="configFile"/> (JSON), environment, then
    /// <paramref name="args"/>. <paramref name="configureServices"/> may add verifiers or replace stores before the defaults.
    /// </summary>
    public static WebApplication Build(string[] args, string? configFile = null, Action<IServiceCollection>? configureServices = null)
    {
        // Configuration is read once, at start-up (options are bound once): no reload on change. With reload on, the
        // host's appsettings.json sources watch the content root — the working directory — recursively, adding an
        // inotify watch per directory below it and waking the process for every file written there.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = ["--hostBuilder:reloadConfigOnChange=false"] });

        // Defaults below every other source (appsettings.json, the config file, environment and arguments override them):
        // ASP.NET Core's own categories log warnings and errors only. At Information they write "Request starting",
        // "Executing endpoint", "Executed endpoint" and "Request finished" for every request; the KBS's own log
        // (PodVm.*: sessions, attestations, released resources, refusals) keeps the default level.
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = DefaultSettings });
        if (configFile is not null)
        {
            builder.Configuration.AddJsonFile(Path.GetFullPath(configFile), optional: false, reloadOnChange: false);
        }

        builder.Configuration.AddEnvironmentVariables();
        builder.Configuration.AddCommandLine(args);

        var section = builder.Configuration.GetSection(KbsOptions.Section);
        var options = section.Get<KbsOptions>() ?? new KbsOptions();
        var services = builder.Services;
        services.AddSingleton<IValidateOptions<KbsOptions>, KbsOptionsValidator>();
        services.AddOptions<KbsOptions>().Bind(section).ValidateOnStart();

        var bound = new KbsBoundEndpoints();
        services.AddSingleton(bound);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            foreach (var url in options.Urls.Count > 0 ? options.Urls : [KbsOptions.DefaultUrl])
            {
                Listen(kestrel, url, HttpProtocols.Http1AndHttp2, bound.Http, options, bound);
            }

            foreach (var url in options.GrpcUrls)
            {
                Listen(kestrel, url, HttpProtocols.Http2, bound.Grpc, options, bound);
            }
        });

        configureServices?.Invoke(services);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new SqliteKbsStore(sp.GetRequiredService<IOptions<KbsOptions>>().Value.DatabasePath, sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<IResourceStore>(sp => sp.GetRequiredService<SqliteKbsStore>());
        services.TryAddSingleton<IPolicyStore>(sp => sp.GetRequiredService<SqliteKbsStore>());
        services.TryAddSingleton<INonceLedger>(sp => sp.GetRequiredService<SqliteKbsStore>());
        services.TryAddSingleton<IReferenceValueStore>(sp => sp.GetRequiredService<SqliteKbsStore>());
        services.TryAddSingleton<KbsKeys>();
        services.TryAddSingleton(sp => new EarTokenIssuer(sp.GetRequiredService<KbsKeys>().TokenSigningKey, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<IOptions<KbsOptions>>().Value.TokenLifetime));
        services.TryAddSingleton(sp => new EarTokenVerifier(sp.GetRequiredService<KbsKeys>().TrustedTokenKeys, sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => new SessionSealer(sp.GetRequiredService<KbsKeys>().SessionKey));
        services.AddSingleton<IEvidenceVerifier>(sp => EvidenceVerifiers.CreateSnp(new SnpVerifierOptions(), sp.GetRequiredService<TimeProvider>()));
        if (options.LocalDevPlatformKeyFiles.Count > 0)
        {
            services.AddSingleton<IEvidenceVerifier>(sp => EvidenceVerifiers.CreateLocalDev(
                new LocalDevTeeVerifierOptions { TrustedPlatformKeys = [.. options.LocalDevPlatformKeyFiles.Select(f => (ReadOnlyMemory<byte>)File.ReadAllBytes(f))] },
                sp.GetRequiredService<TimeProvider>()));
        }

        services.TryAddSingleton<IAttestationService>(sp => new AttestationEvaluator(
            sp.GetServices<IEvidenceVerifier>(),
            sp.GetRequiredService<IReferenceValueStore>(),
            sp.GetRequiredService<IPolicyStore>(),
            sp.GetRequiredService<EarTokenIssuer>()));
        services.TryAddSingleton(sp => new RcarService(
            sp.GetRequiredService<IAttestationService>(),
            sp.GetRequiredService<EarTokenVerifier>(),
            sp.GetRequiredService<SessionSealer>(),
            sp.GetRequiredService<INonceLedger>(),
            sp.GetRequiredService<IResourceStore>(),
            sp.GetRequiredService<IPolicyStore>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IOptions<KbsOptions>>().Value.SessionTimeout));
        services.TryAddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<KbsOptions>>().Value;
            return new ReferenceValueImporter(o.LoadSigners(), sp.GetRequiredService<TimeProvider>()) { AllowUnsigned = o.AllowUnsignedReferenceValues };
        });
        services.TryAddSingleton(sp => new AdminAuthenticator(sp.GetRequiredService<KbsKeys>().AdminKeys, sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<KbsMetrics>();
        services.AddGrpc(o => o.Interceptors.Add<GrpcTokenInterceptor>());
        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.OnRejected = (context, _) =>
            {
                context.HttpContext.RequestServices.GetRequiredService<KbsMetrics>().RateLimited();
                return ValueTask.CompletedTask;
            };
            // Partitioned by the client's address itself (IPAddress compares by value): no string per request. Requests
            // without an IP address (e.g. a unix socket) share one bucket, as they did under the key "unknown".
            limiter.AddPolicy(KbsEndpoints.PublicRateLimitPolicy, context => RateLimitPartition.GetTokenBucketLimiter(
                context.Connection.RemoteIpAddress ?? IPAddress.None,
                _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = options.RateLimitBurst,
                    TokensPerPeriod = options.RateLimitPerSecond,
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                }));
        });

        var app = builder.Build();
        app.UseRateLimiter();
        KbsEndpoints.Map(app);
        app.MapGrpcService<AttestationGrpcService>();
        app.MapGrpcService<ReferenceValueGrpcService>();

        var logger = app.Services.GetRequiredService<ILogger<RcarService>>();
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var o = app.Services.GetRequiredService<IOptions<KbsOptions>>().Value;
            KbsLog.Starting(logger, o.DatabasePath, o.SessionTimeout, app.Services.GetServices<IEvidenceVerifier>().Count(), o.GrpcUrls.Count > 0);
        });
        return app;
    }

    /// <summary>Configuration defaults of the KBS, overridden by any other source.</summary>
    internal static readonly IReadOnlyDictionary<string, string?> DefaultSettings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
    {
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
    };

    private static void Listen(KestrelServerOptions kestrel, string url, HttpProtocols protocols, List<ListenOptions> list, KbsOptions options, KbsBoundEndpoints bound)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            throw new OptionsValidationException(KbsOptions.Section, typeof(KbsOptions), [$"Kbs:Urls entry '{url}' is not a URL"]);
        }

        var address = uri.Host switch
        {
            "localhost" => IPAddress.Loopback,
            "*" or "+" or "0.0.0.0" => IPAddress.Any,
            var h => IPAddress.TryParse(h.Trim('[', ']'), out var ip) ? ip : throw new OptionsValidationException(KbsOptions.Section, typeof(KbsOptions), [$"Kbs:Urls host '{h}' must be an IP address or localhost"]),
        };
        kestrel.Listen(address, uri.Port, listen =>
        {
            listen.Protocols = protocols;
            if (uri.Scheme == Uri.UriSchemeHttps && File.Exists(options.TlsCertificateFile) && File.Exists(options.TlsPrivateKeyFile))
            {
                // Missing files are reported by KbsOptionsValidator at start-up, naming the settings.
                listen.UseHttps(System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPemFile(options.TlsCertificateFile, options.TlsPrivateKeyFile));
                bound.Https.Add(listen);
            }

            list.Add(listen);
        });
    }
}
