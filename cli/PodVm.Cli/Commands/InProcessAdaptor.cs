using Microsoft.AspNetCore.Builder;
using PodVm.CloudApiAdaptor.Hosting;

namespace PodVm.Cli.Commands;

/// <summary>
/// An adaptor with the local provider in this process (for <c>podvm run</c> and <c>podvm bench pod</c>): its socket,
/// pods and state under a runtime directory, metrics on an ephemeral loopback port, no reconciler, warnings
/// and errors on stderr only (stdout belongs to the container).
/// </summary>
internal static class InProcessAdaptor
{
    /// <summary>Starts it; null (after saying why on <paramref name="error"/>) when the configuration is invalid.</summary>
    public static async Task<WebApplication?> StartAsync(
        string runtime, string socket, string clusterName, IReadOnlyDictionary<string, string?> extra, TextWriter error, CancellationToken cancellationToken)
    {
        var overrides = AdaptorComposition.ProviderDefaults("local");
        overrides["Adaptor:SocketPath"] = socket;
        overrides["Adaptor:PodsDirectory"] = Path.Combine(runtime, "pods");
        overrides["Adaptor:StateDirectory"] = Path.Combine(runtime, "state");
        overrides["Adaptor:MetricsUrl"] = "http://127.0.0.1:0";
        overrides["Adaptor:ClusterName"] = clusterName;
        overrides["Adaptor:ReconcileInterval"] = "00:00:00";
        overrides["Logging:LogLevel:Default"] = "Warning";
        overrides["Logging:Console:LogToStandardErrorThreshold"] = "Trace";
        foreach (var (key, value) in extra)
        {
            overrides[key] = value;
        }

        try
        {
            var app = AdaptorHost.Build([], null, overrides, (services, configuration) => AdaptorComposition.TryAddProvider("local", services, configuration));
            if (StartupValidation.Failures(app.Services) is { Count: > 0 } failures)
            {
                await error.WriteLineAsync($"invalid configuration: {string.Join("; ", failures)}");
                await app.DisposeAsync();
                return null;
            }

            await app.StartAsync(cancellationToken);
            return app;
        }
        catch (Exception ex) when (StartupValidation.FailuresOf(ex) is { } failures)
        {
            await error.WriteLineAsync($"invalid configuration: {string.Join("; ", failures)}");
            return null;
        }
    }
}
