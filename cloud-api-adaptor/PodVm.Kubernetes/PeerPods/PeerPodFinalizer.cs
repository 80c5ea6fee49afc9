using System.Net;
using k8s;

namespace PodVm.Kubernetes.PeerPods;

/// <summary>
/// Removes <see cref="PeerPodNames.Finalizer"/> with optimistic concurrency: read, drop the finalizer, replace with
/// the read resourceVersion; on 409 Conflict read again and retry.
/// </summary>
internal static class PeerPodFinalizer
{
    private const int MaxAttempts = 8;

    /// <summary>True when this call removed the finalizer; false when it (or the object) was already gone.</summary>
    public static async Task<bool> RemoveAsync(IKubernetes client, string ns, string name, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            PeerPod current;
            try
            {
                current = await client.CustomObjects.GetNamespacedCustomObjectAsync<PeerPod>(
                    PeerPodNames.Group, PeerPodNames.Version, ns, PeerPodNames.Plural, name, cancellationToken);
            }
            catch (Exception ex) when (ApiErrors.Is(ex, HttpStatusCode.NotFound))
            {
                return false;
            }
            catch (Exception ex) when (ApiErrors.IsApiFailure(ex))
            {
                throw ApiErrors.Wrap(ex, $"reading PeerPod {ns}/{name}");
            }

            var finalizers = current.Metadata.Finalizers;
            if (finalizers is null || !finalizers.Contains(PeerPodNames.Finalizer))
            {
                return false;
            }

            current.Metadata.Finalizers = [.. finalizers.Where(f => f != PeerPodNames.Finalizer)];
            try
            {
                await client.CustomObjects.ReplaceNamespacedCustomObjectAsync<PeerPod>(
                    current, PeerPodNames.Group, PeerPodNames.Version, ns, PeerPodNames.Plural, name, cancellationToken: cancellationToken);
                return true;
            }
            catch (Exception ex) when (ApiErrors.Is(ex, HttpStatusCode.NotFound))
            {
                return false;
            }
            catch (Exception ex) when (ApiErrors.Is(ex, HttpStatusCode.Conflict) && attempt < MaxAttempts)
            {
                // Someone else changed the object since we read it: read it again.
            }
            catch (Exception ex) when (ApiErrors.IsApiFailure(ex))
            {
                throw ApiErrors.Wrap(ex, $"removing the finalizer of PeerPod {ns}/{name}");
            }
        }
    }
}
