using System.Formats.Cbor;
using System.Numerics;

namespace PodVm.Attestation.ReferenceValues;

/// <summary>
/// Reads CBOR into a plain tree: long / BigInteger for integers, string, byte[], bool, null, double,
/// <see cref="List{T}"/> of items, <see cref="CborMap"/> and <see cref="CborTagged"/>. Depth and size are bounded.
/// </summary>
public static class CborTree
{
    private const int MaxDepth = 64;

    /// <summary>Reads exactly one item; trailing bytes or malformed input throw <see cref="ReferenceValueException"/>.</summary>
    public static object? Read(ReadOnlyMemory<byte> cbor)
    {
        try
        {
            var reader = new CborReader(cbor, CborConformanceMode.Lax, allowMultipleRootLevelValues: false);
            var item = ReadItem(reader, 0);
            if (reader.BytesRemaining != 0)
            {
                throw new ReferenceValueException(ReferenceValueError.Malformed, "trailing bytes after the CBOR item");
            }

            return item;
        }
        catch (CborContentException ex)
        {
            throw new ReferenceValueException(ReferenceValueError.Malformed, $"invalid CBOR: {ex.Message}", ex);
        }
        catch (InvalidOperationException ex)
        {
            throw new ReferenceValueException(ReferenceValueError.Malformed, $"invalid CBOR: {ex.Message}", ex);
        }
    }

    private static object? ReadItem(CborReader reader, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new ReferenceValueException(ReferenceValueError.Malformed, "CBOR nested too deeply");
        }

        switch (reader.PeekState())
        {
            case CborReaderState.UnsignedInteger:
                {
                    var v = reader.ReadUInt64();
                    return v <= long.MaxValue ? (object)(long)v : new BigInteger(v);
                }

            case CborReaderState.NegativeInteger:
                {
                    var encoded = reader.ReadCborNegativeIntegerRepresentation();
                    return encoded < long.MaxValue ? (object)(-1L - (long)encoded) : -BigInteger.One - encoded;
                }

            case CborReaderState.ByteString:
            case CborReaderState.StartIndefiniteLengthByteString:
                return reader.ReadByteString();
            case CborReaderState.TextString:
            case CborReaderState.StartIndefiniteLengthTextString:
                return reader.ReadTextString();
            case CborReaderState.StartArray:
                {
                    var length = reader.ReadStartArray();
                    var list = new List<object?>(Math.Min(length ?? 4, 1024));
                    while (reader.PeekState() != CborReaderState.EndArray)
                    {
                        list.Add(ReadItem(reader, depth + 1));
                    }

                    reader.ReadEndArray();
                    return list;
                }

            case CborReaderState.StartMap:
                {
                    reader.ReadStartMap();
                    var map = new CborMap();
                    while (reader.PeekState() != CborReaderState.EndMap)
                    {
                        var key = ReadItem(reader, depth + 1);
                        var value = ReadItem(reader, depth + 1);
                        map.Add(key, value);
                    }

                    reader.ReadEndMap();
                    return map;
                }

            case CborReaderState.Tag:
                {
                    var tag = (ulong)reader.ReadTag();
                    return new CborTagged(tag, ReadItem(reader, depth + 1));
                }

            case CborReaderState.Boolean:
                return reader.ReadBoolean();
            case CborReaderState.Null:
                reader.ReadNull();
                return null;
            case CborReaderState.SimpleValue:
                return (long)reader.ReadSimpleValue();
            case CborReaderState.HalfPrecisionFloat:
            case CborReaderState.SinglePrecisionFloat:
            case CborReaderState.DoublePrecisionFloat:
                return reader.ReadDouble();
            default:
                throw new ReferenceValueException(ReferenceValueError.Malformed, $"unexpected CBOR state {reader.PeekState()}");
        }
    }

    /// <summary>Removes the given tags around an item (e.g. CoRIM's 500/502 wrappers).</summary>
    public static object? Untag(object? item, params ulong[] tags)
    {
        while (item is CborTagged t && Array.IndexOf(tags, t.Tag) >= 0)
        {
            item = t.Value;
        }

        return item;
    }
}
