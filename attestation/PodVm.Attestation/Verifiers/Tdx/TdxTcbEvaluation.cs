using System.Text.Json.Nodes;

namespace PodVm.Attestation.Verifiers.Tdx;

/// <summary>The outcome of matching a quote against TCB info and QE identity.</summary>
internal sealed record TdxTcbEvaluation(string TcbStatus, string PlatformTcbStatus, string? QeTcbStatus, string? TcbDate, IReadOnlyList<string> AdvisoryIds)
{
    public const string NotEvaluated = "NotEvaluated";

    public static TdxTcbEvaluation None { get; } = new(NotEvaluated, NotEvaluated, null, null, []);

    public JsonObject ToJson() => new()
    {
        ["tcb_status"] = TcbStatus,
        ["platform_tcb_status"] = PlatformTcbStatus,
        ["qe_tcb_status"] = QeTcbStatus,
        ["tcb_date"] = TcbDate,
        ["advisory_ids"] = new JsonArray([.. AdvisoryIds.Select(a => (JsonNode)a)]),
    };
}
