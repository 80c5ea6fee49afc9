using System.Net;
using System.Security.Cryptography;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using PodVm.CloudApiAdaptor.Providers;

namespace PodVm.Kubernetes.Events;

/// <summary>
/// Errors where users look: posts core/v1 Events on Pods (and other objects) so that a pod VM that cannot be
/// created or started says why in <c>kubectl describe pod</c> and <c>kubectl get events</c>, not only in the
/// adaptor's log. Posting never throws into the caller's path: a failure to post is logged and reported as false.
/// </summary>
public sealed class EventPoster
{
    private readonly IKubernetes _client;
    private readonly EventPosterOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;

    public EventPoster(IKubernetes client, EventPosterOptions options, ILogger<EventPoster> logger, TimeProvider timeProvider)
    {
        _client = client;
        _options = options;
        _logger = logger;
        _timeProvider = timeProvider;
    }

    /// <summary>Posts a Warning on the pod for a failed create or start, with the reason taken from the error.</summary>
    public Task<bool> PostPodVmFailureAsync(string podNamespace, string podName, Exception error, CancellationToken cancellationToken)
    {
        var failure = error is ProviderException provider ? PodVmFailures.From(provider.Reason) : PodVmFailure.Other;
        return PostPodVmFailureAsync(podNamespace, podName, failure, error.Message, cancellationToken);
    }

    /// <summary>Posts a Warning on the pod for a failed create or start (attestation failures come this way).</summary>
    public async Task<bool> PostPodVmFailureAsync(string podNamespace, string podName, PodVmFailure failure, string detail, CancellationToken cancellationToken)
    {
        string? uid = null;
        try
        {
            var pod = await _client.CoreV1.ReadNamespacedPodAsync(podName, podNamespace, cancellationToken: cancellationToken);
            uid = pod.Metadata.Uid;
        }
        catch (Exception ex) when (ApiErrors.Is(ex, HttpStatusCode.NotFound) || ApiErrors.IsApiFailure(ex))
        {
            // Post anyway: an event without the uid is still listed for the pod's name.
        }

        var target = new V1ObjectReference { ApiVersion = "v1", Kind = "Pod", NamespaceProperty = podNamespace, Name = podName, Uid = uid };
        var message = $"The pod VM could not be created or started: {detail} {PodVmFailures.Hint(failure)}";
        return await PostAsync(target, "Warning", PodVmFailures.EventReason(failure), message, cancellationToken);
    }

    /// <summary>Posts one Event about <paramref name="target"/>; cluster-scoped targets get their Event in "default".</summary>
    public async Task<bool> PostAsync(V1ObjectReference target, string type, string reason, string message, CancellationToken cancellationToken)
    {
        var ns = string.IsNullOrEmpty(target.NamespaceProperty) ? "default" : target.NamespaceProperty;
        var now = _timeProvider.GetUtcNow().UtcDateTime;
        var evt = new Corev1Event
        {
            Metadata = new V1ObjectMeta { Name = $"{Truncate(target.Name, 200)}.{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}", NamespaceProperty = ns },
            InvolvedObject = target,
            Type = type,
            Reason = reason,
            Message = Truncate(message, 1024),
            Source = new V1EventSource { Component = _options.Component, Host = _options.NodeName },
            ReportingComponent = "podvm.io/" + _options.Component,
            ReportingInstance = _options.NodeName ?? _options.Component,
            FirstTimestamp = now,
            LastTimestamp = now,
            Count = 1,
        };

        try
        {
            await _client.CoreV1.CreateNamespacedEventAsync(evt, ns, cancellationToken: cancellationToken);
            return true;
        }
        catch (Exception ex) when (ApiErrors.IsApiFailure(ex))
        {
            KubernetesLog.EventPostFailed(_logger, reason, target.Kind, ns, target.Name, ex.Message);
            return false;
        }
    }

    private static string Truncate(string value, int max) => value.Length <= max ? value : value[..max];
}
