using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace PodVm.Cli.Commands;

/// <summary>
/// Runs every options validator registered with ValidateOnStart before the host starts anything, so that all bad
/// settings (adaptor and provider sections alike) are reported together, as one line each, and no provider or
/// listener is created with a bad configuration.
/// </summary>
internal static class StartupValidation
{
    public static IReadOnlyList<string> Failures(IServiceProvider services)
    {
        try
        {
            services.GetRequiredService<IStartupValidator>().Validate();
            return [];
        }
        catch (OptionsValidationException ex)
        {
            return [.. ex.Failures];
        }
        catch (AggregateException ex) when (ex.InnerExceptions.All(e => e is OptionsValidationException))
        {
            return [.. ex.InnerExceptions.Cast<OptionsValidationException>().SelectMany(e => e.Failures)];
        }
    }
}
