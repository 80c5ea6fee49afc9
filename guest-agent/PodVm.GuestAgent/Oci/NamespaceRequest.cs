namespace PodVm.GuestAgent.Oci;

/// <summary>One namespace of a crun bundle: its type and, when it is joined rather than created, the path to join.</summary>
internal sealed record NamespaceRequest(string Type, string? Path = null);
