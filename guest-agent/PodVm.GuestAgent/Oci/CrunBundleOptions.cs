namespace PodVm.GuestAgent.Oci;

/// <summary>What the agent decides for a bundle, beyond what the OCI spec says.</summary>
internal sealed record CrunBundleOptions
{
    /// <summary>Absolute path of the unpacked rootfs.</summary>
    public required string RootfsPath { get; init; }

    /// <summary>The cgroup the container runs in (relative to the cgroup root), e.g. <c>/podvm/ctr1</c>.</summary>
    public required string CgroupsPath { get; init; }

    /// <summary>The namespaces, as planned by <see cref="NamespacePlanner"/>.</summary>
    public required IReadOnlyList<NamespaceRequest> Namespaces { get; init; }

    /// <summary>Process args to use when the spec has none (from the image).</summary>
    public IReadOnlyList<string> DefaultArgs { get; init; } = [];

    /// <summary>Environment from the image, overridden by the spec's.</summary>
    public IReadOnlyList<string> DefaultEnv { get; init; } = [];

    /// <summary>Working directory when the spec has none.</summary>
    public string DefaultCwd { get; init; } = "/";
}
