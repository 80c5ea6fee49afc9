using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace PodVm.Providers.Aws;

/// <summary>Checks <see cref="AwsProviderOptions"/> at start-up; every message names the setting to fix.</summary>
internal sealed partial class AwsProviderOptionsValidator : IValidateOptions<AwsProviderOptions>
{
    private const string Section = AwsProviderOptions.SectionName;

    private static readonly HashSet<string> VolumeTypes = new(StringComparer.Ordinal)
    {
        "gp2", "gp3", "io1", "io2", "st1", "sc1", "standard",
    };

    public ValidateOptionsResult Validate(string? name, AwsProviderOptions options)
    {
        var failures = new List<string>();

        if (string.IsNullOrWhiteSpace(options.ImageId))
        {
            failures.Add($"{Section}:ImageId is required: the AMI of the pod VM image (e.g. ami-0123456789abcdef0).");
        }
        else if (!ImageIdPattern().IsMatch(options.ImageId))
        {
            failures.Add($"{Section}:ImageId '{options.ImageId}' is not an AMI id (ami- followed by 8 or 17 hex digits).");
        }

        if (options.Region is not null && !RegionPattern().IsMatch(options.Region))
        {
            failures.Add($"{Section}:Region '{options.Region}' is not a region name (e.g. eu-west-1).");
        }

        if (options.ServiceUrl is { } url && (!url.IsAbsoluteUri || url.Scheme is not ("https" or "http")))
        {
            failures.Add($"{Section}:ServiceUrl '{url}' must be an absolute http(s) URL.");
        }

        if (options.SubnetId is not null && !SubnetPattern().IsMatch(options.SubnetId))
        {
            failures.Add($"{Section}:SubnetId '{options.SubnetId}' is not a subnet id (subnet-...).");
        }

        foreach (var group in options.SecurityGroupIds)
        {
            if (!SecurityGroupPattern().IsMatch(group))
            {
                failures.Add($"{Section}:SecurityGroupIds contains '{group}', which is not a security group id (sg-...).");
            }
        }

        if (options.RootVolumeSizeGiB is < 1 or > 16384)
        {
            failures.Add($"{Section}:RootVolumeSizeGiB must be between 1 and 16384 (got {options.RootVolumeSizeGiB}).");
        }

        if (!VolumeTypes.Contains(options.RootVolumeType))
        {
            failures.Add($"{Section}:RootVolumeType '{options.RootVolumeType}' is not an EBS volume type ({string.Join(", ", VolumeTypes)}).");
        }

        if (string.IsNullOrWhiteSpace(options.RootDeviceName) || !options.RootDeviceName.StartsWith("/dev/", StringComparison.Ordinal))
        {
            failures.Add($"{Section}:RootDeviceName must be the AMI's root device (e.g. /dev/xvda).");
        }

        if (options.KmsKeyId is not null && !options.EncryptRootVolume)
        {
            failures.Add($"{Section}:KmsKeyId is set but {Section}:EncryptRootVolume is false; EBS needs encryption on to use a key.");
        }

        if (options.MaxErrorRetry is < 0 or > 10)
        {
            failures.Add($"{Section}:MaxErrorRetry must be between 0 and 10 (got {options.MaxErrorRetry}).");
        }

        if (options.MaxAttempts is < 1 or > 20)
        {
            failures.Add($"{Section}:MaxAttempts must be between 1 and 20 (got {options.MaxAttempts}).");
        }

        Positive(failures, "RequestTimeout", options.RequestTimeout);
        Positive(failures, "CreateTimeout", options.CreateTimeout);
        Positive(failures, "PollInterval", options.PollInterval);
        Positive(failures, "BackoffBase", options.BackoffBase);
        if (options.BackoffMax < options.BackoffBase)
        {
            failures.Add($"{Section}:BackoffMax ({options.BackoffMax}) must not be below {Section}:BackoffBase ({options.BackoffBase}).");
        }

        if (options.PollInterval >= options.CreateTimeout)
        {
            failures.Add($"{Section}:PollInterval ({options.PollInterval}) must be shorter than {Section}:CreateTimeout ({options.CreateTimeout}).");
        }

        if ((options.AccessKeyId is null) != (options.SecretAccessKey is null))
        {
            failures.Add($"{Section}:AccessKeyId and {Section}:SecretAccessKey must be set together (or neither, to use the AWS credential chain).");
        }

        if (options.SessionToken is not null && options.AccessKeyId is null)
        {
            failures.Add($"{Section}:SessionToken needs {Section}:AccessKeyId and {Section}:SecretAccessKey.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Positive(List<string> failures, string setting, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            failures.Add($"{Section}:{setting} must be positive (got {value}).");
        }
    }

    [GeneratedRegex("^ami-([0-9a-f]{8}|[0-9a-f]{17})$")]
    private static partial Regex ImageIdPattern();

    [GeneratedRegex("^[a-z]{2}(-[a-z]+)+-[0-9]+$")]
    private static partial Regex RegionPattern();

    [GeneratedRegex("^subnet-([0-9a-f]{8}|[0-9a-f]{17})$")]
    private static partial Regex SubnetPattern();

    [GeneratedRegex("^sg-([0-9a-f]{8}|[0-9a-f]{17})$")]
    private static partial Regex SecurityGroupPattern();
}
