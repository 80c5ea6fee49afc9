using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace PodVm.Cli.Commands;

/// <summary>
/// Runs every options validator registered with ValidateOnStart before the host starts anything, so that all bad
/// settings (adaptor and provider sections alike) are reported together, as one line each, and no provider or
/// listener is created with a bad configuration. A value the configuration binder cannot convert (for example
/// <c>Kubernetes:Enabled = yes</c>) is reported the same way, as one line naming the setting, not as a stack trace.
/// </summary>
internal static partial class StartupValidation
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
        catch (AggregateException ex) when (ex.InnerExceptions.All(e => e is OptionsValidationException || Unconvertible(e) is not null))
        {
            return [.. ex.InnerExceptions.SelectMany(e => e is OptionsValidationException v ? v.Failures : [Unconvertible(e)!])];
        }
        catch (InvalidOperationException ex) when (Unconvertible(ex) is { } failure)
        {
            return [failure];
        }
    }

    /// <summary>The binder's "Failed to convert configuration value 'v' at 'path' to type 'T'." as one line naming the setting.</summary>
    internal static string? Unconvertible(Exception exception)
    {
        if (exception is not InvalidOperationException || BinderFailure().Match(exception.Message) is not { Success: true } match)
        {
            return null;
        }

        var type = match.Groups["type"].Value;
        var expected = type switch
        {
            "System.Boolean" => "true or false",
            "System.Int32" or "System.Int64" or "System.UInt32" or "System.UInt64" => "a whole number",
            "System.Double" or "System.Decimal" => "a number",
            "System.TimeSpan" => "a duration such as 00:00:30",
            "System.Uri" => "an absolute URL",
            _ => "a value of type " + type,
        };
        var value = match.Groups["value"].Success ? $" '{match.Groups["value"].Value}'" : string.Empty;
        return $"{match.Groups["path"].Value}:{value} is not {expected}.";
    }

    [GeneratedRegex(@"^Failed to convert configuration value (?:'(?<value>[^']*)' )?at '(?<path>[^']+)' to type '(?<type>[^']+)'")]
    private static partial Regex BinderFailure();
}
