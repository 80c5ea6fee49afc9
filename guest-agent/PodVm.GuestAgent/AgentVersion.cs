using System.Reflection;

namespace PodVm.GuestAgent;

/// <summary>The agent's version string.</summary>
internal static class AgentVersion
{
    public static string Value { get; } = "podvm-guest-agent " +
        (typeof(AgentVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0");
}
