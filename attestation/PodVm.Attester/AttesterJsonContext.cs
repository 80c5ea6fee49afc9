using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using PodVm.Attester.Cdh;
using PodVm.Attester.Evidence;
using PodVm.Attester.Kbs;

namespace PodVm.Attester;

/// <summary>Source-generated JSON for every document the attester reads or writes (NativeAOT: no reflection).</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never, PropertyNameCaseInsensitive = false)]
[JsonSerializable(typeof(SideChannelRequest))]
[JsonSerializable(typeof(SideChannelReply))]
[JsonSerializable(typeof(LocalDevEvidence))]
[JsonSerializable(typeof(PodVm.Attester.Tpm.TpmEvidence))]
[JsonSerializable(typeof(TdxEvidence))]
[JsonSerializable(typeof(KbsRequest))]
[JsonSerializable(typeof(KbsChallenge))]
[JsonSerializable(typeof(KbsAttestation))]
[JsonSerializable(typeof(KbsTokenResponse))]
[JsonSerializable(typeof(KbsErrorBody))]
[JsonSerializable(typeof(EarTokenClaims))]
[JsonSerializable(typeof(JweMessage))]
[JsonSerializable(typeof(JweHeader))]
[JsonSerializable(typeof(CdhErrorBody))]
internal sealed partial class AttesterJsonContext : JsonSerializerContext
{
    /// <summary>For answers to local programs: quotes and angle brackets stay readable (no HTML-safe \u escapes).</summary>
    public static AttesterJsonContext Relaxed { get; } = new(new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
}
