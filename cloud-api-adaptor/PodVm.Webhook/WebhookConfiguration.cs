using Microsoft.Extensions.Configuration;

namespace PodVm.Webhook;

/// <summary>
/// Loads <see cref="WebhookOptions"/> in the usual .NET order: defaults, then the JSON file (section "Webhook"),
/// then environment variables <c>PODVM_Webhook__RuntimeClassName</c> and the like.
/// </summary>
public static class WebhookConfiguration
{
    public static WebhookOptions Load(string? configFile, IDictionary<string, string?>? overrides = null)
    {
        var builder = new ConfigurationBuilder();
        if (configFile is not null)
        {
            if (!File.Exists(configFile))
            {
                throw new FileNotFoundException($"The webhook configuration file '{configFile}' does not exist.", configFile);
            }

            builder.AddJsonFile(Path.GetFullPath(configFile), optional: false, reloadOnChange: false);
        }

        builder.AddEnvironmentVariables("PODVM_");
        if (overrides is not null)
        {
            builder.AddInMemoryCollection(overrides);
        }

        var options = new WebhookOptions();
        builder.Build().GetSection(WebhookOptions.SectionName).Bind(options, o => o.ErrorOnUnknownConfiguration = true);
        return options;
    }
}
