using System.CommandLine;
using Microsoft.Extensions.Logging;
using PodVm.Webhook;

namespace PodVm.Cli.Commands;

/// <summary><c>podvm webhook serve [--config FILE]</c>: the mutating admission webhook over TLS.</summary>
internal static class WebhookCommand
{
    public static Command Create()
    {
        var config = new Option<FileInfo?>("--config") { Description = "JSON file with a \"Webhook\" section (see docs/install.md); PODVM_Webhook__* environment variables override it." };
        var serve = new Command("serve", "Serve the admission webhook that sizes PodVm pods and gives them the kata.peerpods.io/vm resource.")
        {
            config,
        };
        serve.SetAction(async (parseResult, cancellationToken) =>
        {
            WebhookOptions options;
            try
            {
                options = WebhookConfiguration.Load(parseResult.GetValue(config)?.FullName);
                await using var host = WebhookHost.Create(options, logging => logging.AddSimpleConsole(c => c.SingleLine = true));
                await host.RunAsync(cancellationToken);
                return 0;
            }
            catch (Exception ex) when (ex is InvalidOperationException or FileNotFoundException or InvalidDataException)
            {
                await parseResult.InvocationConfiguration.Error.WriteLineAsync($"podvm webhook: {ex.Message}");
                return 2;
            }
        });

        return new Command("webhook", "The Kubernetes admission webhook for pods of the PodVm runtime class.") { serve };
    }
}
