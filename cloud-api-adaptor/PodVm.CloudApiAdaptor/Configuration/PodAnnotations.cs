using PodVm.PodVmConfig;

namespace PodVm.CloudApiAdaptor.Configuration;

/// <summary>What the Kata shim's CreateVM annotations ask for, parsed and checked.</summary>
public sealed record PodAnnotations
{
    public const string SandboxNameKey = "io.kubernetes.cri.sandbox-name";
    public const string SandboxNamespaceKey = "io.kubernetes.cri.sandbox-namespace";
    public const string HypervisorPrefix = "io.katacontainers.config.hypervisor.";
    public const string MachineTypeKey = HypervisorPrefix + "machine_type";
    public const string ImageKey = HypervisorPrefix + "image";
    public const string VCpusKey = HypervisorPrefix + "default_vcpus";
    public const string MemoryKey = HypervisorPrefix + "default_memory";
    public const string InitDataKey = HypervisorPrefix + "cc_init_data";
    public const string GpusKey = HypervisorPrefix + "default_gpus";
    public const string GpuModelKey = HypervisorPrefix + "default_gpu_model";

    /// <summary>PodVm's own: "true" asks for a vTPM in the pod VM (the local provider runs swtpm per VM).</summary>
    public const string TpmKey = "io.podvm.tpm";

    /// <summary>The Kubernetes pod name (CRI-O's k8s_&lt;pod&gt;_&lt;ns&gt;_&lt;uid&gt;_&lt;n&gt; form is reduced to &lt;pod&gt;).</summary>
    public required string PodName { get; init; }

    public required string PodNamespace { get; init; }

    public string? MachineType { get; init; }

    public string? Image { get; init; }

    /// <summary>Requested vCPUs; 0 = no request.</summary>
    public int VCpus { get; init; }

    /// <summary>Requested memory in MiB; 0 = no request.</summary>
    public int MemoryMiB { get; init; }

    public int Gpus { get; init; }

    public string? GpuModel { get; init; }

    /// <summary>The pod asked for a vTPM (<see cref="TpmKey"/>).</summary>
    public bool Tpm { get; init; }

    /// <summary>The pod's initdata, decoded and validated; null when the pod has none.</summary>
    public InitData? InitData { get; init; }
}
