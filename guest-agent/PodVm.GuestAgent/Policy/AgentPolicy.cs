using System.Text.Json.Serialization;

namespace PodVm.GuestAgent.Policy;

/// <summary>
/// The guest agent policy (docs/guest-agent-policy.md): which agent calls the host may make, and with what.
/// </summary>
internal sealed record AgentPolicy
{
    /// <summary>Format version; only "1".</summary>
    [JsonPropertyName("version")]
    public string Version { get; init; } = "1";

    /// <summary>
    /// "allow" or "deny": the decision for an AgentService method that <see cref="Methods"/> does not name; absent
    /// means "allow". (Nullable because the source-generated deserializer sets every init property, absent ones to null.)
    /// </summary>
    [JsonPropertyName("default_action")]
    public string? DefaultAction { get; init; }

    /// <summary>Per-method decisions ("allow"/"deny"), keyed by the bare RPC name (e.g. "ExecProcess").</summary>
    [JsonPropertyName("methods")]
    public Dictionary<string, string>? Methods { get; init; }

    /// <summary>Glob patterns for the image references CreateContainer may use; null = any image.</summary>
    [JsonPropertyName("allowed_images")]
    public List<string>? AllowedImages { get; init; }

    /// <summary>Glob patterns for CreateContainer's command line (args joined by single spaces); null = any.</summary>
    [JsonPropertyName("allowed_commands")]
    public List<string>? AllowedCommands { get; init; }

    /// <summary>Glob patterns for ExecProcess's command line; null = any.</summary>
    [JsonPropertyName("allowed_exec_commands")]
    public List<string>? AllowedExecCommands { get; init; }
}
