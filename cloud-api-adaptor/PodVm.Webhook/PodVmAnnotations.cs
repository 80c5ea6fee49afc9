namespace PodVm.Webhook;

/// <summary>The pod annotations the webhook writes; Kata passes them to the adaptor in CreateVM.</summary>
public static class PodVmAnnotations
{
    public const string Prefix = "io.katacontainers.config.hypervisor.";
    public const string DefaultVcpus = Prefix + "default_vcpus";
    public const string DefaultMemory = Prefix + "default_memory";
    public const string DefaultGpus = Prefix + "default_gpus";
    public const string DefaultExtendedResource = "kata.peerpods.io/vm";
}
