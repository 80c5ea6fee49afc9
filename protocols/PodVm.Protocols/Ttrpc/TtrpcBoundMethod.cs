namespace PodVm.Protocols.Ttrpc;

/// <summary>A method bound through <see cref="TtrpcServiceRegistration"/>: its name and message types.</summary>
public sealed record TtrpcBoundMethod(string Name, Type RequestType, Type ResponseType);
