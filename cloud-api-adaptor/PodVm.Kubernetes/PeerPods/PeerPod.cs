using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace PodVm.Kubernetes.PeerPods;

/// <summary>
/// The record of one pod VM in the cluster (<c>peerpods.confidentialcontainers.org/v1alpha1</c>), field-compatible
/// with upstream's: <c>spec.cloudProvider</c>, <c>spec.instanceID</c>, <c>status.cleand</c>. Owned by its Pod and
/// held by <see cref="PeerPodNames.Finalizer"/> until the instance is gone.
/// </summary>
[KubernetesEntity(Group = PeerPodNames.Group, ApiVersion = PeerPodNames.Version, Kind = PeerPodNames.Kind, PluralName = PeerPodNames.Plural)]
public sealed class PeerPod : IKubernetesObject<V1ObjectMeta>, ISpec<PeerPodSpec>, IStatus<PeerPodStatus?>
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = PeerPodNames.ApiVersion;

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = PeerPodNames.Kind;

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    public PeerPodSpec Spec { get; set; } = new();

    [JsonPropertyName("status")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public PeerPodStatus? Status { get; set; }
}
