using System.Text.Json.Nodes;
using PodVm.Attestation.Verifiers.Common;

namespace PodVm.Attestation.Verifiers.Tpm;

/// <summary>Replays a TCG crypto-agile event log (or a TDX CCEL) into register values per bank, for tools and the CLI.</summary>
public static class EventLogReplay
{
    /// <summary>
    /// {"events": n, "banks": {"sha256": {"0": "…", …}, …}}, or false with the reason when the log is malformed.
    /// For a CCEL the indices are CC MR indices (1–4 = RTMR0–3).
    /// </summary>
    public static bool TryReplay(ReadOnlySpan<byte> log, out JsonObject? result, out string? error)
    {
        try
        {
            var parsed = TcgEventLog.Parse(log);
            result = new JsonObject
            {
                ["events"] = parsed.Events.Count,
                ["banks"] = parsed.ReplayJson(),
            };
            error = null;
            return true;
        }
        catch (VerificationException e)
        {
            result = null;
            error = e.Message;
            return false;
        }
    }
}
