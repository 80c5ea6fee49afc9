using System.Net;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace PodVm.Kubernetes.PeerPods;

/// <summary>
/// Writes and removes the PeerPod of a pod VM. The adaptor calls <see cref="RecordAsync"/> right after the provider
/// created the instance, and <see cref="ReleaseAsync"/> after it deleted the instance itself (StopVM). A PeerPod
/// is owned by its Pod (controller ownerReference, blockOwnerDeletion) and carries <see cref="PeerPodNames.Finalizer"/>:
/// when the Pod goes without a StopVM (adaptor crash, node loss), garbage collection deletes the PeerPod, the
/// finalizer holds it, and <see cref="PeerPodController"/> deletes the instance before letting it go.
/// </summary>
public sealed class PeerPodRecorder
{
    private const int MaxConflictRetries = 5;

    private readonly IKubernetes _client;
    private readonly ILogger _logger;

    public PeerPodRecorder(IKubernetes client, ILogger<PeerPodRecorder> logger)
    {
        _client = client;
        _logger = logger;
    }

    /// <summary>
    /// Creates the PeerPod for <paramref name="record"/>, or returns the one already there (idempotent: the name is
    /// derived from the sandbox id).
    /// </summary>
    /// <exception cref="KubernetesIntegrationException">PodNotFound when the pod is gone: the caller should delete the instance.</exception>
    public async Task<PeerPod> RecordAsync(PeerPodRecord record, CancellationToken cancellationToken)
    {
        V1Pod pod;
        try
        {
            pod = await _client.CoreV1.ReadNamespacedPodAsync(record.PodName, record.PodNamespace, cancellationToken: cancellationToken);
        }
        catch (Exception ex) when (ApiErrors.Is(ex, HttpStatusCode.NotFound))
        {
            throw new KubernetesIntegrationException(KubernetesErrorReason.PodNotFound,
                $"pod {record.PodNamespace}/{record.PodName} does not exist, so its pod VM {record.InstanceId} cannot be recorded; delete the instance", ex);
        }
        catch (Exception ex) when (ApiErrors.IsApiFailure(ex))
        {
            throw ApiErrors.Wrap(ex, $"reading pod {record.PodNamespace}/{record.PodName}");
        }

        var peerPod = Build(record, pod.Metadata.Uid);
        try
        {
            var created = await _client.CustomObjects.CreateNamespacedCustomObjectAsync<PeerPod>(
                peerPod, PeerPodNames.Group, PeerPodNames.Version, record.PodNamespace, PeerPodNames.Plural, cancellationToken: cancellationToken);
            KubernetesLog.PeerPodRecorded(_logger, record.PodNamespace, record.PeerPodName, record.InstanceId);
            return created;
        }
        catch (Exception ex) when (ApiErrors.Is(ex, HttpStatusCode.Conflict))
        {
            // Already recorded (a retried StartVM, or a re-attached adaptor): the existing object is the record.
            return await ReadAsync(record.PodNamespace, record.PeerPodName, cancellationToken)
                ?? throw new KubernetesIntegrationException(KubernetesErrorReason.Conflict,
                    $"PeerPod {record.PodNamespace}/{record.PeerPodName} exists and vanished while being read; retry", ex);
        }
        catch (Exception ex) when (ApiErrors.IsApiFailure(ex))
        {
            throw ApiErrors.Wrap(ex, $"creating PeerPod {record.PodNamespace}/{record.PeerPodName}");
        }
    }

    /// <summary>
    /// After the adaptor deleted the instance: removes the finalizer (the instance is gone, nothing to hold) and
    /// deletes the PeerPod. Returns false when there was nothing to release.
    /// </summary>
    public async Task<bool> ReleaseAsync(PeerPodRecord record, CancellationToken cancellationToken)
    {
        var removed = await PeerPodFinalizer.RemoveAsync(_client, record.PodNamespace, record.PeerPodName, cancellationToken);
        try
        {
            await _client.CustomObjects.DeleteNamespacedCustomObjectAsync(
                PeerPodNames.Group, PeerPodNames.Version, record.PodNamespace, PeerPodNames.Plural, record.PeerPodName,
                cancellationToken: cancellationToken);
            KubernetesLog.PeerPodReleased(_logger, record.PodNamespace, record.PeerPodName, record.InstanceId);
            return true;
        }
        catch (Exception ex) when (ApiErrors.Is(ex, HttpStatusCode.NotFound))
        {
            return removed;
        }
        catch (Exception ex) when (ApiErrors.IsApiFailure(ex))
        {
            throw ApiErrors.Wrap(ex, $"deleting PeerPod {record.PodNamespace}/{record.PeerPodName}");
        }
    }

    /// <summary>The PeerPod as the adaptor writes it (also what the CRD schema tests validate).</summary>
    public static PeerPod Build(PeerPodRecord record, string podUid)
    {
        var labels = new Dictionary<string, string> { [PeerPodNames.SandboxLabel] = Label(record.SandboxId) };
        if (record.NodeName is not null)
        {
            labels[PeerPodNames.NodeLabel] = Label(record.NodeName);
        }

        return new PeerPod
        {
            Metadata = new V1ObjectMeta
            {
                Name = record.PeerPodName,
                NamespaceProperty = record.PodNamespace,
                Labels = labels,
                Finalizers = [PeerPodNames.Finalizer],
                OwnerReferences =
                [
                    new V1OwnerReference
                    {
                        ApiVersion = "v1",
                        Kind = "Pod",
                        Name = record.PodName,
                        Uid = podUid,
                        Controller = true,
                        BlockOwnerDeletion = true,
                    },
                ],
            },
            Spec = new PeerPodSpec
            {
                CloudProvider = record.CloudProvider,
                InstanceId = record.InstanceId,
                SandboxId = record.SandboxId,
                NodeName = record.NodeName,
            },
        };
    }

    private async Task<PeerPod?> ReadAsync(string ns, string name, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < MaxConflictRetries; attempt++)
        {
            try
            {
                return await _client.CustomObjects.GetNamespacedCustomObjectAsync<PeerPod>(
                    PeerPodNames.Group, PeerPodNames.Version, ns, PeerPodNames.Plural, name, cancellationToken);
            }
            catch (Exception ex) when (ApiErrors.Is(ex, HttpStatusCode.NotFound))
            {
                return null;
            }
            catch (Exception ex) when (ApiErrors.IsApiFailure(ex) && attempt < MaxConflictRetries - 1)
            {
                KubernetesLog.ApiRetry(_logger, "read PeerPod", ex.Message);
            }
        }

        return null;
    }

    /// <summary>Label values are at most 63 characters.</summary>
    private static string Label(string value) => value.Length <= 63 ? value : value[..63];
}
