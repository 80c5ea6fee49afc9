using System.Text.Json.Serialization;

namespace PodVm.GuestAgent.Policy;

/// <summary>Source-generated JSON for the policy (NativeAOT).</summary>
[JsonSourceGenerationOptions(UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow, ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip, AllowTrailingCommas = true)]
[JsonSerializable(typeof(AgentPolicy))]
internal sealed partial class AgentPolicyJsonContext : JsonSerializerContext;
