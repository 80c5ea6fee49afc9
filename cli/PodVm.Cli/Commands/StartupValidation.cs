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
        catch (Exception ex) when (FailuresOf(ex) is { } failures)
        {
            return failures;
        }
    }

    /// <summary>
    /// The one-line failures a configuration exception stands for (options validation, or a value the binder cannot
    /// convert, alone or aggregated); null for any other exception, which is a bug to surface as it is.
    /// </summary>
    public static IReadOnlyList<string>? FailuresOf(Exception exception) => exception switch
    {
        OptionsValidationException v => [.. v.Failures],
        AggregateException a when a.InnerExceptions.All(e => FailuresOf(e) is not null) => [.. a.InnerExceptions.SelectMany(e => FailuresOf(e)!)],
        _ => Unconvertible(exception) is { } failure ? [failure] : null,
    };

    /// <summary>The binder's "Failed to convert configuration value 'v' at 'path' to type 'T'." as one line naming the setting.</summary>
    private static string? Unconvertible(Exception exception)
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
