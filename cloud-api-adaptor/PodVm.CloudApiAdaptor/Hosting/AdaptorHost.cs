using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PodVm.CloudApiAdaptor.Configuration;
using PodVm.CloudApiAdaptor.Lifecycle;
using PodVm.CloudApiAdaptor.Observability;
using PodVm.CloudApiAdaptor.Tls;

namespace PodVm.CloudApiAdaptor.Hosting;

/// <summary>
/// Composes the adaptor daemon: options (file, PODVM_ environment, command line; validated at start-up), the
/// provider the caller registers (and any <see cref="IPodLifecycleObserver"/>), the pod lifecycle, and /healthz, /readyz and /metrics on a loopback port.
/// </summary>
public static class AdaptorHost
{
    public static WebApplication Build(string[] args, string? configFile, IReadOnlyDictionary<string, string?> overrides, Action<IServiceCollection, IConfiguration> addProvider)
    {
        ArgumentNullException.ThrowIfNull(addProvider);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args });
        if (configFile is not null)
        {
            builder.Configuration.AddJsonFile(Path.GetFullPath(configFile), optional: false, reloadOnChange: false);
        }

        builder.Configuration.AddEnvironmentVariables("PODVM_");
        builder.Configuration.AddInMemoryCollection(overrides);
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
        });

        var services = builder.Services;
        services.AddSingleton(TimeProvider.System);
        services.AddOptions<AdaptorOptions>().Bind(builder.Configuration.GetSection(AdaptorOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AdaptorOptions>, AdaptorOptionsValidator>();
        services.AddSingleton<AdaptorMetrics>();
        services.AddSingleton(sp => new PrometheusExporter(meter => meter.Name.StartsWith("PodVm.", StringComparison.Ordinal)));
        services.AddSingleton(sp => ForwarderCertificateAuthority.LoadOrCreate(
            Path.Combine(sp.GetRequiredService<IOptions<AdaptorOptions>>().Value.StateDirectory, "tls"), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new PodStateStore(sp.GetRequiredService<IOptions<AdaptorOptions>>().Value.StateDirectory, sp.GetRequiredService<ILogger<PodStateStore>>()));
        services.AddSingleton<PodManager>();
        services.AddSingleton<Reconciler>();
        services.AddSingleton<AdaptorReadiness>();
        services.AddHostedService<AdaptorService>();
        addProvider(services, builder.Configuration);

        // Integrations (Kubernetes) register their observer in addProvider; without one the lifecycle tells nobody.
        services.TryAddSingleton<IPodLifecycleObserver, NoPodLifecycleObserver>();

        var metricsUrl = builder.Configuration[$"{AdaptorOptions.SectionName}:{nameof(AdaptorOptions.MetricsUrl)}"];
        builder.WebHost.UseUrls(string.IsNullOrEmpty(metricsUrl) ? new AdaptorOptions().MetricsUrl : metricsUrl);

        var app = builder.Build();
        app.MapGet("/healthz", () => Results.Text("ok\n"));
        app.MapGet("/readyz", (AdaptorReadiness readiness) => readiness.IsReady ? Results.Text("ready\n") : Results.Text("not ready\n", statusCode: 503));
        app.MapGet("/metrics", (PrometheusExporter exporter) => Results.Text(exporter.Render(), "text/plain; version=0.0.4"));
        return app;
    }
}
