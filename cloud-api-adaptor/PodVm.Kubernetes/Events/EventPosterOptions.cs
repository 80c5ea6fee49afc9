namespace PodVm.Kubernetes.Events;

/// <summary>Who posts the events (shown as the Event's source in <c>kubectl describe</c>).</summary>
public sealed record EventPosterOptions
{
    public string Component { get; init; } = "podvm-adaptor";

    /// <summary>The node the poster runs on (the Event's source host and reporting instance).</summary>
    public string? NodeName { get; init; }
}
