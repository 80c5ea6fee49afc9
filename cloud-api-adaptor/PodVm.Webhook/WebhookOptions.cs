namespace PodVm.Webhook;

/// <summary>Settings of the admission webhook, bound from the "Webhook" configuration section.</summary>
public sealed record WebhookOptions
{
    public const string SectionName = "Webhook";

    /// <summary>Only pods with this <c>spec.runtimeClassName</c> are mutated (upstream's TARGET_RUNTIMECLASS).</summary>
    public string RuntimeClassName { get; init; } = "kata-remote";

    /// <summary>The extended resource that replaces the pod's resources (upstream's POD_VM_EXTENDED_RESOURCE).</summary>
    public string ExtendedResourceName { get; init; } = PodVmAnnotations.DefaultExtendedResource;

    /// <summary>The container resource whose sum becomes the <c>default_gpus</c> annotation.</summary>
    public string GpuResourceName { get; init; } = "nvidia.com/gpu";

    /// <summary>Address Kestrel binds; the API server reaches it through the webhook Service.</summary>
    public string ListenAddress { get; init; } = "0.0.0.0";

    /// <summary>TLS port. 0 picks a free port (tests).</summary>
    public int Port { get; init; } = 8443;

    /// <summary>PEM certificate (chain) served to the API server; re-read when the file changes.</summary>
    public string CertificatePath { get; init; } = "/etc/podvm/webhook-tls/tls.crt";

    /// <summary>PEM private key of <see cref="CertificatePath"/>.</summary>
    public string KeyPath { get; init; } = "/etc/podvm/webhook-tls/tls.key";

    /// <summary>Checks every setting; each message names the setting and what is wrong with it.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(RuntimeClassName))
        {
            errors.Add($"{SectionName}:{nameof(RuntimeClassName)} must not be empty.");
        }

        if (!IsResourceName(ExtendedResourceName))
        {
            errors.Add($"{SectionName}:{nameof(ExtendedResourceName)} '{ExtendedResourceName}' is not a domain-qualified extended resource name (e.g. kata.peerpods.io/vm).");
        }

        if (!IsResourceName(GpuResourceName))
        {
            errors.Add($"{SectionName}:{nameof(GpuResourceName)} '{GpuResourceName}' is not a domain-qualified resource name (e.g. nvidia.com/gpu).");
        }

        if (!System.Net.IPAddress.TryParse(ListenAddress, out _))
        {
            errors.Add($"{SectionName}:{nameof(ListenAddress)} '{ListenAddress}' is not an IP address.");
        }

        if (Port is < 0 or > 65535)
        {
            errors.Add($"{SectionName}:{nameof(Port)} {Port} is outside 0-65535.");
        }

        if (!File.Exists(CertificatePath))
        {
            errors.Add($"{SectionName}:{nameof(CertificatePath)} '{CertificatePath}' does not exist (see docs/install.md, 'The webhook certificate').");
        }

        if (!File.Exists(KeyPath))
        {
            errors.Add($"{SectionName}:{nameof(KeyPath)} '{KeyPath}' does not exist.");
        }

        return errors;
    }

    private static bool IsResourceName(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return false;
        }

        var slash = name.IndexOf('/', StringComparison.Ordinal);
        return slash > 0 && slash < name.Length - 1 && name.IndexOf('/', slash + 1) < 0 && name[..slash].Contains('.', StringComparison.Ordinal);
    }
}
