using PodVm.CloudApiAdaptor.Providers;

namespace PodVm.Providers.Aws;

/// <summary>
/// Settings of the AWS provider, bound from the "Providers:Aws" configuration section and validated at start-up by
/// <see cref="AwsProviderOptionsValidator"/>. Defaults live here and only here. Credentials and region come from the
/// standard AWS chain (environment, shared profile, web identity, container or instance role) unless set below.
/// </summary>
public sealed record AwsProviderOptions
{
    public const string SectionName = "Providers:Aws";

    /// <summary>Region (e.g. "eu-west-1"); null = from the AWS chain (AWS_REGION, profile, instance metadata).</summary>
    public string? Region { get; init; }

    /// <summary>Endpoint override (a VPC endpoint, or a local fake in tests); null = the region's public endpoint.</summary>
    public Uri? ServiceUrl { get; init; }

    /// <summary>AMI of the pod VM image, used when the pod does not name one.</summary>
    public string ImageId { get; init; } = string.Empty;

    /// <summary>Subnet for the pod VMs; null = the default VPC's default subnet.</summary>
    public string? SubnetId { get; init; }

    /// <summary>Security groups (must let the node reach TCP 15150 on the VM).</summary>
    public IReadOnlyList<string> SecurityGroupIds { get; init; } = [];

    /// <summary>Report the public address instead of the private one (node outside the VPC).</summary>
    public bool UsePublicAddress { get; init; }

    /// <summary>Root device name of the AMI.</summary>
    public string RootDeviceName { get; init; } = "/dev/xvda";

    public int RootVolumeSizeGiB { get; init; } = 20;

    public string RootVolumeType { get; init; } = "gp3";

    /// <summary>Encrypt the root volume (EBS encryption).</summary>
    public bool EncryptRootVolume { get; init; } = true;

    /// <summary>KMS key for the root volume; null = the account's default EBS key.</summary>
    public string? KmsKeyId { get; init; }

    /// <summary>IAM instance profile (name or ARN) for the VM; null = none (the pod VM needs no AWS API).</summary>
    public string? IamInstanceProfile { get; init; }

    public AwsRetryMode RetryMode { get; init; } = AwsRetryMode.Standard;

    /// <summary>Retries the SDK itself makes for one call (throttling, 5xx, network errors).</summary>
    public int MaxErrorRetry { get; init; } = 3;

    /// <summary>Time limit for one HTTP request to EC2.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Attempts PodVm makes on top of the SDK's retries when EC2 keeps throttling or failing.</summary>
    public int MaxAttempts { get; init; } = 5;

    /// <summary>First back-off between PodVm's attempts; doubled each time, with full jitter.</summary>
    public TimeSpan BackoffBase { get; init; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan BackoffMax { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>How long a create may take until the VM is running and has an address.</summary>
    public TimeSpan CreateTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Interval between DescribeInstances calls while waiting for the VM.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Static access key id; null = the standard AWS credential chain (preferred).</summary>
    public string? AccessKeyId { get; init; }

    [Secret]
    public string? SecretAccessKey { get; init; }

    [Secret]
    public string? SessionToken { get; init; }

    /// <summary>The options with every <see cref="SecretAttribute"/> property redacted.</summary>
    public override string ToString() => RedactedDump.Format(this);
}
