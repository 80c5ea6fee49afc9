using System.Text.Json.Serialization;

namespace PodVm.Kubernetes.PeerPods;

/// <summary>Upstream's status: whether the instance has been deleted (the field name's spelling is upstream's).</summary>
public sealed class PeerPodStatus
{
    [JsonPropertyName("cleand")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? Cleaned { get; set; }
}
