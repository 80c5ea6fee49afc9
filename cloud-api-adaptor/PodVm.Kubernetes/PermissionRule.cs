namespace PodVm.Kubernetes;

/// <summary>One RBAC rule: an API group, a resource (or resource/subresource) and the verbs used on it.</summary>
public sealed record PermissionRule(string ApiGroup, string Resource, IReadOnlyList<string> Verbs);
