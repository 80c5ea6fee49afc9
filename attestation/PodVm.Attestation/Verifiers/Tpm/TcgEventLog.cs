using System.Globalization;
using System.Text.Json.Nodes;
using PodVm.Attestation.Verifiers.Common;

namespace PodVm.Attestation.Verifiers.Tpm;

/// <summary>
/// A TCG PC Client event log (little-endian): a first SHA-1-format event, which for crypto-agile logs carries the
/// "Spec ID Event03" header listing the banks and digest sizes, then TCG_PCR_EVENT2 records. Also reads TDX CCEL logs
/// (index = CC MR index). Replay: PCR = H(PCR ‖ digest) from zeros, skipping EV_NO_ACTION; a StartupLocality
/// NO_ACTION event sets PCR0's initial last byte.
/// </summary>
internal sealed class TcgEventLog
{
    public const uint EvNoAction = 0x3;
    private const int MaxEvents = 100_000;
    private const int MaxEventData = 16 * 1024 * 1024;
    private static readonly byte[] SpecIdSignature = "Spec ID Event03\0"u8.ToArray();
    private static readonly byte[] StartupLocalitySignature = "StartupLocality\0"u8.ToArray();

    private TcgEventLog(IReadOnlyList<TcgEvent> events, IReadOnlyList<ushort> banks)
    {
        Events = events;
        Banks = banks;
    }

    public IReadOnlyList<TcgEvent> Events { get; }

    public IReadOnlyList<ushort> Banks { get; }

    public static TcgEventLog Parse(ReadOnlySpan<byte> log)
    {
        var reader = new SpanReader(log, "event log");
        var events = new List<TcgEvent>();
        var first = ReadSha1Event(ref reader);
        events.Add(first);
        var sizes = new Dictionary<ushort, int>();
        if (first.Type == EvNoAction && first.Data.AsSpan().StartsWith(SpecIdSignature))
        {
            var spec = new SpanReader(first.Data, "Spec ID event");
            spec.ReadBytes(16 + 4 + 1 + 1 + 1 + 1); // signature, platformClass, spec minor/major/errata, uintnSize
            var count = spec.ReadUInt32LittleEndian();
            if (count is 0 or > 16)
            {
                throw VerificationException.Malformed($"the Spec ID event lists {count} algorithms");
            }

            for (var i = 0; i < count; i++)
            {
                sizes[spec.ReadUInt16LittleEndian()] = spec.ReadUInt16LittleEndian();
            }
        }

        if (sizes.Count == 0)
        {
            // A legacy SHA-1-only log: every event has the first event's format.
            while (reader.Remaining >= 32 && !AtEnd(reader, log))
            {
                events.Add(ReadSha1Event(ref reader));
            }

            return new TcgEventLog(events, [TpmHash.Sha1]);
        }

        while (reader.Remaining >= 12 && !AtEnd(reader, log))
        {
            if (events.Count > MaxEvents)
            {
                throw VerificationException.Malformed("the event log has too many events");
            }

            var index = reader.ReadUInt32LittleEndian();
            var type = reader.ReadUInt32LittleEndian();
            var digestCount = reader.ReadUInt32LittleEndian();
            if (digestCount > (uint)sizes.Count)
            {
                throw VerificationException.Malformed($"event {events.Count} has {digestCount} digests, the log declares {sizes.Count} banks");
            }

            var digests = new Dictionary<ushort, byte[]>();
            for (var i = 0; i < digestCount; i++)
            {
                var alg = reader.ReadUInt16LittleEndian();
                if (!sizes.TryGetValue(alg, out var size))
                {
                    throw VerificationException.Malformed($"event {events.Count} has a digest of undeclared algorithm 0x{alg:x4}");
                }

                digests[alg] = reader.ReadBytes(size).ToArray();
            }

            events.Add(new TcgEvent(index, type, digests, ReadData(ref reader)));
        }

        return new TcgEventLog(events, [.. sizes.Keys.Where(TpmHash.IsKnown).Order()]);
    }

    /// <summary>Replays every bank: index → value, for the indices that have events (others stay at their reset value).</summary>
    public Dictionary<ushort, SortedDictionary<int, byte[]>> Replay()
    {
        var result = new Dictionary<ushort, SortedDictionary<int, byte[]>>();
        foreach (var bank in Banks)
        {
            var values = new SortedDictionary<int, byte[]>();
            var size = TpmHash.Size(bank);
            foreach (var e in Events)
            {
                if (e.Type == EvNoAction)
                {
                    if (e.Index == 0 && e.Data.AsSpan().StartsWith(StartupLocalitySignature) && e.Data.Length > StartupLocalitySignature.Length)
                    {
                        var initial = new byte[size];
                        initial[^1] = e.Data[StartupLocalitySignature.Length];
                        values[0] = initial;
                    }

                    continue;
                }

                if (!e.Digests.TryGetValue(bank, out var digest) || e.Index > 31)
                {
                    continue;
                }

                var current = values.TryGetValue((int)e.Index, out var v) ? v : new byte[size];
                values[(int)e.Index] = TpmHash.Hash(bank, [.. current, .. digest]);
            }

            result[bank] = values;
        }

        return result;
    }

    public JsonObject ReplayJson()
    {
        var json = new JsonObject();
        foreach (var (bank, values) in Replay())
        {
            var bankJson = new JsonObject();
            foreach (var (index, value) in values)
            {
                bankJson[index.ToString(CultureInfo.InvariantCulture)] = Hex.Of(value);
            }

            json[TpmHash.BankName(bank)] = bankJson;
        }

        return json;
    }

    private static TcgEvent ReadSha1Event(ref SpanReader reader)
    {
        var index = reader.ReadUInt32LittleEndian();
        var type = reader.ReadUInt32LittleEndian();
        var digest = reader.ReadBytes(20).ToArray();
        return new TcgEvent(index, type, new Dictionary<ushort, byte[]> { [TpmHash.Sha1] = digest }, ReadData(ref reader));
    }

    private static byte[] ReadData(ref SpanReader reader)
    {
        var size = reader.ReadUInt32LittleEndian();
        if (size > MaxEventData)
        {
            throw VerificationException.Malformed($"event data of {size} bytes");
        }

        return reader.ReadBytes((int)size).ToArray();
    }

    // Fixed-size buffers (CCEL tables, securityfs copies) are padded with 0xFF or 0x00 after the last event.
    private static bool AtEnd(SpanReader reader, ReadOnlySpan<byte> log)
    {
        var header = log.Slice(reader.Position, 8);
        return !header.ContainsAnyExcept((byte)0xFF) || !header.ContainsAnyExcept((byte)0x00);
    }
}
