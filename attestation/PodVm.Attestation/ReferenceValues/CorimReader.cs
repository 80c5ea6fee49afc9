using System.Buffers.Binary;
using System.Text.Json.Nodes;

namespace PodVm.Attestation.ReferenceValues;

/// <summary>
/// Maps the reference triples of an unsigned CoRIM (tag 501, CoMIDs in tag 506) to named reference values. Names
/// follow Trustee's RVPS CoRIM extractor: the present identifiers among environment vendor, model, measurement key,
/// mval name and serial, joined by '/', then "digests" (hex digests) or "raw_bytes" (hex) or "svn". Triples of the AMD
/// SEV-SNP profile (class id 1.3.6.1.4.1.3704.3.1) also yield Trustee's SNP names (snp_launch_measurement, snp_bootloader,
/// snp_tee_svn, snp_snp_svn, snp_microcode, snp_policy) so the default SNP policy finds them.
/// </summary>
public static class CorimReader
{
    /// <summary>DER content of OID 1.3.6.1.4.1.3704.3.1 (AMD SEV-SNP CoRIM profile class id).</summary>
    private static readonly byte[] SnpClassOid = Convert.FromHexString("2b060104019c780301");

    public static IReadOnlyList<ReferenceValue> Read(ReadOnlyMemory<byte> unsignedCorim, DateTimeOffset expiration, string source)
    {
        var root = CborTree.Untag(CborTree.Read(unsignedCorim), 500, 501, 502) as CborMap
            ?? throw new ReferenceValueException(ReferenceValueError.Malformed, "CoRIM is not a map");
        if (root.Get(1) is not List<object?> tags)
        {
            throw new ReferenceValueException(ReferenceValueError.Malformed, "CoRIM has no tags (key 1)");
        }

        var values = new Dictionary<string, List<JsonNode>>(StringComparer.Ordinal);
        foreach (var tag in tags)
        {
            if (tag is not CborTagged { Tag: 506, Value: byte[] comidBytes })
            {
                continue;
            }

            if (CborTree.Read(comidBytes) is not CborMap comid)
            {
                throw new ReferenceValueException(ReferenceValueError.Malformed, "CoMID is not a map");
            }

            if (comid.Get(4) is not CborMap triples || triples.Get(0) is not List<object?> referenceTriples)
            {
                continue;
            }

            foreach (var triple in referenceTriples)
            {
                if (triple is List<object?> { Count: >= 2 } record && record[0] is CborMap environment)
                {
                    var measurements = record[1] as List<object?> ?? [record[1]];
                    foreach (var m in measurements)
                    {
                        if (m is CborMap measurement)
                        {
                            AddMeasurement(values, environment, measurement);
                        }
                    }
                }
            }
        }

        return [.. values.Select(kv => new ReferenceValue { Name = kv.Key, Values = kv.Value, Expiration = expiration, Source = source })];
    }

    private static void AddMeasurement(Dictionary<string, List<JsonNode>> values, CborMap environment, CborMap measurement)
    {
        var @class = environment.Get(0) as CborMap;
        var vendor = @class?.Get(1) as string;
        var model = @class?.Get(2) as string;
        var isSnp = CborTree.Untag(@class?.Get(0), 111) is byte[] oid && oid.AsSpan().SequenceEqual(SnpClassOid);
        var mkey = DescribeKey(measurement.Get(0));
        if (measurement.Get(1) is not CborMap mval)
        {
            return;
        }

        var prefix = new List<string>(5);
        AddIf(prefix, vendor);
        AddIf(prefix, model);
        AddIf(prefix, mkey);
        AddIf(prefix, mval.Get(11) as string);
        AddIf(prefix, mval.Get(8) as string);
        var baseName = string.Join('/', prefix);

        if (mval.Get(2) is List<object?> digests)
        {
            foreach (var d in digests)
            {
                if (d is List<object?> { Count: 2 } pair && pair[1] is byte[] digest)
                {
                    var hex = Convert.ToHexStringLower(digest);
                    Add(values, Join(baseName, "digests"), hex);
                    if (isSnp && measurement.Get(0) is 641L)
                    {
                        Add(values, "snp_launch_measurement", hex);
                    }
                }
            }
        }

        if (CborTree.Untag(mval.Get(4), 560) is byte[] raw)
        {
            Add(values, Join(baseName, "raw_bytes"), Convert.ToHexStringLower(raw));
            if (isSnp && measurement.Get(0) is 2L)
            {
                Add(values, "snp_policy", Convert.ToHexStringLower(raw));
            }
        }

        if (mval.Get(1) is { } svnItem && CborTree.Untag(svnItem, 552, 553) is long svn)
        {
            Add(values, Join(baseName, "svn"), svn);
            if (isSnp && measurement.Get(0) is 647L or 6L)
            {
                Span<byte> tcb = stackalloc byte[8];
                BinaryPrimitives.WriteUInt64LittleEndian(tcb, (ulong)svn);
                Add(values, "snp_bootloader", (long)tcb[0]);
                Add(values, "snp_tee_svn", (long)tcb[1]);
                Add(values, "snp_snp_svn", (long)tcb[6]);
                Add(values, "snp_microcode", (long)tcb[7]);
            }
        }
    }

    private static string? DescribeKey(object? mkey) => mkey switch
    {
        long l => l.ToString(System.Globalization.CultureInfo.InvariantCulture),
        string s => s,
        CborTagged { Tag: 37, Value: byte[] { Length: 16 } uuid } => new Guid(uuid, bigEndian: true).ToString(),
        CborTagged { Value: byte[] b } => Convert.ToHexStringLower(b),
        _ => null,
    };

    private static void AddIf(List<string> parts, string? part)
    {
        if (!string.IsNullOrEmpty(part))
        {
            parts.Add(part);
        }
    }

    private static string Join(string baseName, string suffix) => baseName.Length == 0 ? suffix : baseName + "/" + suffix;

    private static void Add(Dictionary<string, List<JsonNode>> values, string name, JsonNode value)
    {
        if (!values.TryGetValue(name, out var list))
        {
            list = [];
            values[name] = list;
        }

        if (!list.Any(v => JsonNode.DeepEquals(v, value)))
        {
            list.Add(value);
        }
    }
}
