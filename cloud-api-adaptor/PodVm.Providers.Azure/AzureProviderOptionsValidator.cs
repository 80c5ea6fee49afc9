using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace PodVm.Providers.Azure;

/// <summary>Checks <see cref="AzureProviderOptions"/> at start-up; every message names the setting to fix.</summary>
internal sealed partial class AzureProviderOptionsValidator : IValidateOptions<AzureProviderOptions>
{
    private const string Section = AzureProviderOptions.SectionName;

    public ValidateOptionsResult Validate(string? name, AzureProviderOptions options)
    {
        var failures = new List<string>();

        if (!Guid.TryParse(options.SubscriptionId, out _))
        {
            failures.Add($"{Section}:SubscriptionId must be the subscription's GUID (got '{options.SubscriptionId}').");
        }

        if (!ResourceGroupPattern().IsMatch(options.ResourceGroup))
        {
            failures.Add($"{Section}:ResourceGroup is required (1-90 letters, digits, '.', '_', '-', '(', ')'; got '{options.ResourceGroup}').");
        }

        if (!LocationPattern().IsMatch(options.Location))
        {
            failures.Add($"{Section}:Location is required, as a region name such as westeurope (got '{options.Location}').");
        }

        RequireResourceId(failures, "SubnetId", options.SubnetId, "Microsoft.Network/virtualNetworks/", "/subnets/");
        RequireResourceId(failures, "ImageId", options.ImageId, "Microsoft.Compute/", string.Empty);
        if (options.NetworkSecurityGroupId is not null)
        {
            RequireResourceId(failures, "NetworkSecurityGroupId", options.NetworkSecurityGroupId, "Microsoft.Network/networkSecurityGroups/", string.Empty);
        }

        if (options.DiskEncryptionSetId is not null)
        {
            RequireResourceId(failures, "DiskEncryptionSetId", options.DiskEncryptionSetId, "Microsoft.Compute/diskEncryptionSets/", string.Empty);
        }

        if (options.DiskEncryption == AzureDiskEncryption.DiskWithVmGuestState && !options.SecureBoot)
        {
            failures.Add($"{Section}:DiskEncryption DiskWithVmGuestState needs {Section}:SecureBoot true (an ARM rule for confidential VMs).");
        }

        if (options.OsDiskStorageAccountType is not ("Premium_LRS" or "StandardSSD_LRS" or "Standard_LRS" or "Premium_ZRS" or "StandardSSD_ZRS"))
        {
            failures.Add($"{Section}:OsDiskStorageAccountType '{options.OsDiskStorageAccountType}' is not a managed disk type (Premium_LRS, StandardSSD_LRS, ...).");
        }

        if (options.OsDiskSizeGiB is < 1 or > 4095)
        {
            failures.Add($"{Section}:OsDiskSizeGiB must be between 1 and 4095 (got {options.OsDiskSizeGiB}).");
        }

        if (!AdminUserPattern().IsMatch(options.AdminUsername) || options.AdminUsername is "root" or "admin" or "administrator" or "guest")
        {
            failures.Add($"{Section}:AdminUsername '{options.AdminUsername}' is not allowed by Azure (1-32 lowercase letters, digits, '-', '_'; not root/admin).");
        }

        if (!options.SshPublicKey.StartsWith("ssh-", StringComparison.Ordinal))
        {
            failures.Add($"{Section}:SshPublicKey is required (an OpenSSH public key, 'ssh-rsa AAAA...'); ARM needs one for a Linux VM without password.");
        }

        if (options.ResourceManagerEndpoint is { } endpoint && (!endpoint.IsAbsoluteUri || endpoint.Scheme != "https"))
        {
            failures.Add($"{Section}:ResourceManagerEndpoint '{endpoint}' must be an absolute https URL (bearer tokens are never sent over http).");
        }

        if (options.ClientSecret is not null && (options.ClientId is null || options.TenantId is null))
        {
            failures.Add($"{Section}:ClientSecret needs {Section}:ClientId and {Section}:TenantId.");
        }

        if (options.MaxRetries is < 0 or > 20)
        {
            failures.Add($"{Section}:MaxRetries must be between 0 and 20 (got {options.MaxRetries}).");
        }

        Positive(failures, "RetryDelay", options.RetryDelay);
        Positive(failures, "NetworkTimeout", options.NetworkTimeout);
        Positive(failures, "CreateTimeout", options.CreateTimeout);
        Positive(failures, "PollInterval", options.PollInterval);
        if (options.RetryMaxDelay < options.RetryDelay)
        {
            failures.Add($"{Section}:RetryMaxDelay must not be below {Section}:RetryDelay.");
        }

        if (options.PollInterval >= options.CreateTimeout)
        {
            failures.Add($"{Section}:PollInterval ({options.PollInterval}) must be shorter than {Section}:CreateTimeout ({options.CreateTimeout}).");
        }

        if (!ApiVersionPattern().IsMatch(options.NetworkApiVersion))
        {
            failures.Add($"{Section}:NetworkApiVersion '{options.NetworkApiVersion}' is not an api-version (yyyy-mm-dd).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void RequireResourceId(List<string> failures, string setting, string value, string typeFragment, string fragment)
    {
        if (!value.StartsWith("/subscriptions/", StringComparison.OrdinalIgnoreCase)
            || !value.Contains("/providers/" + typeFragment, StringComparison.OrdinalIgnoreCase)
            || !value.Contains(fragment, StringComparison.OrdinalIgnoreCase))
        {
            failures.Add($"{Section}:{setting} must be a resource id (/subscriptions/.../providers/{typeFragment}...; got '{value}').");
        }
    }

    private static void Positive(List<string> failures, string setting, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            failures.Add($"{Section}:{setting} must be positive (got {value}).");
        }
    }

    [GeneratedRegex(@"^[-\w\._\(\)]{1,90}$")]
    private static partial Regex ResourceGroupPattern();

    [GeneratedRegex("^[a-z][a-z0-9]{2,40}$")]
    private static partial Regex LocationPattern();

    [GeneratedRegex("^[a-z_][a-z0-9_-]{0,31}$")]
    private static partial Regex AdminUserPattern();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}(-preview)?$")]
    private static partial Regex ApiVersionPattern();
}
