using System.CommandLine;
using Microsoft.Extensions.Logging.Abstractions;
using PodVm.CloudApiAdaptor.Observability;
using PodVm.CloudApiAdaptor.Proxy;
using PodVm.CloudApiAdaptor.Tls;

namespace PodVm.Cli.Commands;

/// <summary>
/// <c>podvm bench proxy host</c> (hidden): the adaptor's <see cref="AgentProxy"/> alone in a process of its own, as
/// <c>podvm bench proxy</c> starts it so that the proxy and socat are measured with the same scheduling (each its
/// own process, apart from the bench's client and agent stand-in). Serves until its standard input closes.
/// </summary>
internal static class BenchProxyHostCommand
{
    public static Command Create()
    {
        var socket = new Option<string>("--socket") { Description = "The unix socket the proxy listens on.", Required = true };
        var port = new Option<int>("--port") { Description = "The forwarder's port on 127.0.0.1.", Required = true };
        var tlsDirectory = new Option<string>("--tls-dir") { Description = "The directory of the forwarder CA (ForwarderCertificateAuthority).", Required = true };
        var instance = new Option<string>("--instance") { Description = "The instance name the forwarder's certificate names.", Required = true };
        var host = new Command("host", "Runs the adaptor's agent proxy alone in this process (used by 'podvm bench proxy').")
        {
            socket, port, tlsDirectory, instance,
        };
        host.Hidden = true;
        host.SetAction(async (parseResult, cancellationToken) =>
        {
            using var ca = ForwarderCertificateAuthority.LoadOrCreate(parseResult.GetValue(tlsDirectory)!, TimeProvider.System);
            using var metrics = new AdaptorMetrics();
            var connector = new ForwarderConnector("127.0.0.1", parseResult.GetValue(port), parseResult.GetValue(instance)!, ca, TimeProvider.System);
            await using var proxy = new AgentProxy("bench", parseResult.GetValue(socket)!, connector, metrics, NullLoggerFactory.Instance, TimeProvider.System);
            await proxy.StartAsync(cancellationToken);
            await parseResult.InvocationConfiguration.Output.WriteLineAsync("ready");
            await parseResult.InvocationConfiguration.Output.FlushAsync(cancellationToken);

            // The bench holds our standard input open for as long as it wants the proxy.
            using var input = Console.OpenStandardInput();
            var buffer = new byte[64];
            int read;
            do
            {
                read = await input.ReadAsync(buffer, cancellationToken);
            }
            while (read > 0);

            await proxy.StopAsync(TimeSpan.FromSeconds(1));
            return 0;
        });
        return host;
    }
}
