using System.Globalization;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using PodVm.Kubernetes.PeerPods;

namespace PodVm.Kubernetes.Nodes;

/// <summary>
/// Advertises how many pod VMs a node takes: the extended resource <c>kata.peerpods.io/vm</c> in the node's
/// status capacity (a merge patch on <c>nodes/status</c>), which the webhook gives each PodVm pod one of, so the
/// scheduler counts pod VMs per node. Withdrawn on shutdown, as upstream does.
/// </summary>
public sealed class NodeCapacityAdvertiser
{
    private readonly IKubernetes _client;
    private readonly ILogger _logger;
    private readonly string _resource;

    public NodeCapacityAdvertiser(IKubernetes client, ILogger<NodeCapacityAdvertiser> logger, string resource = PeerPodNames.ExtendedResource)
    {
        _client = client;
        _logger = logger;
        _resource = resource;
    }

    public async Task AdvertiseAsync(string nodeName, int podsPerNode, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(podsPerNode);
        await PatchAsync(nodeName, podsPerNode.ToString(CultureInfo.InvariantCulture), cancellationToken);
        KubernetesLog.CapacityAdvertised(_logger, nodeName, _resource, podsPerNode);
    }

    public async Task WithdrawAsync(string nodeName, CancellationToken cancellationToken)
    {
        await PatchAsync(nodeName, null, cancellationToken);
        KubernetesLog.CapacityWithdrawn(_logger, nodeName, _resource);
    }

    private async Task PatchAsync(string nodeName, string? value, CancellationToken cancellationToken)
    {
        var patch = new JsonObject
        {
            ["status"] = new JsonObject { ["capacity"] = new JsonObject { [_resource] = value } },
        };
        try
        {
            await _client.CoreV1.PatchNodeStatusAsync(
                new V1Patch(patch.ToJsonString(), V1Patch.PatchType.MergePatch), nodeName, cancellationToken: cancellationToken);
        }
        catch (Exception ex) when (ApiErrors.IsApiFailure(ex))
        {
            throw ApiErrors.Wrap(ex, $"patching the status of node {nodeName}");
        }
    }
}
