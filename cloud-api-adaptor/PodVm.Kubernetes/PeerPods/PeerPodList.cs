using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace PodVm.Kubernetes.PeerPods;

/// <summary>The list form the API server returns for <c>GET .../peerpods</c>.</summary>
public sealed class PeerPodList : IKubernetesObject<V1ListMeta>, IItems<PeerPod>
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = PeerPodNames.ApiVersion;

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = PeerPodNames.Kind + "List";

    [JsonPropertyName("metadata")]
    public V1ListMeta Metadata { get; set; } = new();

    [JsonPropertyName("items")]
    public IList<PeerPod> Items { get; set; } = [];
}
