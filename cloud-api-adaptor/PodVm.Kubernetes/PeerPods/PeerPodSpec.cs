using System.Text.Json.Serialization;

namespace PodVm.Kubernetes.PeerPods;

/// <summary>Which instance, in which provider, this PeerPod stands for. The first two fields are upstream's.</summary>
public sealed class PeerPodSpec
{
    /// <summary>The provider's name ("local", "aws", "azure"), as <c>ICloudProvider.Name</c>.</summary>
    [JsonPropertyName("cloudProvider")]
    public string CloudProvider { get; set; } = "";

    /// <summary>The provider's instance id (EC2 "i-...", the ARM resource id, the local VM id).</summary>
    [JsonPropertyName("instanceID")]
    public string InstanceId { get; set; } = "";

    /// <summary>PodVm extension: the Kata sandbox id the instance was created for.</summary>
    [JsonPropertyName("sandboxID")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? SandboxId { get; set; }

    /// <summary>PodVm extension: the node whose adaptor created the instance.</summary>
    [JsonPropertyName("nodeName")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? NodeName { get; set; }
}
