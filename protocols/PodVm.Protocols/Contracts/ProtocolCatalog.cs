using Google.Protobuf.Reflection;
using PodVm.Protocols.Agent;
using PodVm.Protocols.Hypervisor;
using PodVm.Protocols.PodVmInfo;

namespace PodVm.Protocols.Contracts;

/// <summary>
/// The services PodVm speaks, by their ttrpc names, with their protobuf descriptors: what generic tools
/// (<c>podvm ttrpc call</c>) use to turn JSON into requests and responses into JSON.
/// </summary>
public static class ProtocolCatalog
{
    private static readonly Lazy<IReadOnlyDictionary<string, ServiceDescriptor>> ServicesByName = new(() =>
        new[] { HypervisorReflection.Descriptor, PodvminfoReflection.Descriptor, AgentReflection.Descriptor, HealthReflection.Descriptor }
            .SelectMany(file => file.Services)
            .ToDictionary(s => s.FullName, StringComparer.Ordinal));

    public static IReadOnlyDictionary<string, ServiceDescriptor> Services => ServicesByName.Value;

    public static bool TryFindMethod(string service, string method, out MethodDescriptor? descriptor, out string error)
    {
        descriptor = null;
        if (!Services.TryGetValue(service, out var serviceDescriptor))
        {
            error = $"unknown service '{service}'; known services: {string.Join(", ", Services.Keys.Order(StringComparer.Ordinal))}";
            return false;
        }

        descriptor = serviceDescriptor.FindMethodByName(method);
        if (descriptor is null)
        {
            error = $"service {service} has no method '{method}'; its methods: {string.Join(", ", serviceDescriptor.Methods.Select(m => m.Name))}";
            return false;
        }

        error = string.Empty;
        return true;
    }
}
