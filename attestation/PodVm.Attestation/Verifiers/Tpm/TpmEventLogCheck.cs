using System.Text.Json.Nodes;
using PodVm.Attestation.Verification;
using PodVm.Attestation.Verifiers.Common;

namespace PodVm.Attestation.Verifiers.Tpm;

/// <summary>Replays an event log and requires every quoted PCR the log touches to equal the replayed value.</summary>
internal static class TpmEventLogCheck
{
    public static JsonObject RequireMatches(ReadOnlySpan<byte> log, TpmAttest attest, IReadOnlyList<TpmPcrBank> pcrs)
    {
        var eventLog = TcgEventLog.Parse(log);
        var replayed = eventLog.Replay();
        foreach (var selection in attest.Selections)
        {
            if (!replayed.TryGetValue(selection.HashAlgorithm, out var bankValues))
            {
                continue;
            }

            var quoted = pcrs.First(b => b.HashAlgorithm == selection.HashAlgorithm);
            foreach (var index in selection.Pcrs)
            {
                if (bankValues.TryGetValue(index, out var value) && !value.AsSpan().SequenceEqual(quoted.Values[index]))
                {
                    throw new VerificationException(
                        VerificationFailureReason.MeasurementMismatch,
                        $"the event log replays PCR {index} ({TpmHash.BankName(selection.HashAlgorithm)}) to {Hex.Of(value)}, the quote has {Hex.Of(quoted.Values[index])}");
                }
            }
        }

        return eventLog.ReplayJson();
    }
}
