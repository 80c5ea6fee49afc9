using PodVm.CloudApiAdaptor.Providers;

namespace PodVm.Providers.Azure;

/// <summary>
/// Settings of the Azure provider, bound from the "Providers:Azure" configuration section and validated at start-up
/// by <see cref="AzureProviderOptionsValidator"/>. Defaults live here and only here. Credentials come from
/// Azure.Identity's DefaultAzureCredential (environment, workload identity, managed identity, Azure CLI) unless a
/// client secret is set below.
/// </summary>
public sealed record AzureProviderOptions
{
    public const string SectionName = "Providers:Azure";

    public string SubscriptionId { get; init; } = string.Empty;

    /// <summary>Resource group that holds the pod VMs, their NICs and OS disks.</summary>
    public string ResourceGroup { get; init; } = string.Empty;

    /// <summary>Region (e.g. "westeurope"); must be the region of the subnet.</summary>
    public string Location { get; init; } = string.Empty;

    /// <summary>Resource id of the subnet the pod VMs' NICs join.</summary>
    public string SubnetId { get; init; } = string.Empty;

    /// <summary>Resource id of a network security group for the NICs (must let the node reach TCP 15150); null = subnet's.</summary>
    public string? NetworkSecurityGroupId { get; init; }

    /// <summary>Resource id of the pod VM image (gallery image version or managed image), when the pod names none.</summary>
    public string ImageId { get; init; } = string.Empty;

    /// <summary>The TEE of the configured VM sizes; a confidential create on a size of the other kind is refused.</summary>
    public AzureTee Tee { get; init; } = AzureTee.SevSnp;

    public AzureDiskEncryption DiskEncryption { get; init; } = AzureDiskEncryption.VmGuestStateOnly;

    /// <summary>Resource id of a disk encryption set (customer-managed key) for the OS disk; null = platform key.</summary>
    public string? DiskEncryptionSetId { get; init; }

    public bool SecureBoot { get; init; } = true;

    /// <summary>Confidential VMs always get a vTPM; this adds one to non-confidential (Trusted Launch) VMs too.</summary>
    public bool VTpm { get; init; } = true;

    /// <summary>Premium_LRS boots markedly faster than Standard_LRS (upstream measured minutes versus under one).</summary>
    public string OsDiskStorageAccountType { get; init; } = "Premium_LRS";

    /// <summary>OS disk size; null = the image's size.</summary>
    public int? OsDiskSizeGiB { get; init; }

    public string AdminUsername { get; init; } = "podvm";

    /// <summary>SSH public key ARM requires for a Linux VM without password (the pod VM image need not run sshd).</summary>
    public string SshPublicKey { get; init; } = string.Empty;

    /// <summary>ARM endpoint override (sovereign clouds, or a local fake in tests); null = public Azure.</summary>
    public Uri? ResourceManagerEndpoint { get; init; }

    /// <summary>Token audience for <see cref="ResourceManagerEndpoint"/>; null = public Azure's.</summary>
    public string? Audience { get; init; }

    public string? TenantId { get; init; }

    /// <summary>Client id of a user-assigned managed identity / workload identity, or of the app with <see cref="ClientSecret"/>.</summary>
    public string? ClientId { get; init; }

    /// <summary>App registration secret; null = DefaultAzureCredential (preferred).</summary>
    [Secret]
    public string? ClientSecret { get; init; }

    /// <summary>Retries of Azure.Core's pipeline for 408/429/5xx and network errors (it honours Retry-After).</summary>
    public int MaxRetries { get; init; } = 5;

    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(0.8);

    public TimeSpan RetryMaxDelay { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Time limit for one HTTP request to ARM.</summary>
    public TimeSpan NetworkTimeout { get; init; } = TimeSpan.FromSeconds(100);

    /// <summary>How long a create may take until the VM is provisioned and has an address.</summary>
    public TimeSpan CreateTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Interval between polls of a long-running operation (when ARM sends no Retry-After).</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>api-version for Microsoft.Network/networkInterfaces, used through the generic resource API.</summary>
    public string NetworkApiVersion { get; init; } = "2023-09-01";

    /// <summary>The options with every <see cref="SecretAttribute"/> property redacted.</summary>
    public override string ToString() => RedactedDump.Format(this);
}
