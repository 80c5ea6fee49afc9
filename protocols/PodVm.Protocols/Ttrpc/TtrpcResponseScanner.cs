using PodVm.Protocols.Ttrpc.Wire;

namespace PodVm.Protocols.Ttrpc;

/// <summary>
/// Reads a ttrpc Response body (<c>Status status = 1; bytes payload = 2;</c>) without copying it: the status is
/// decoded (it is small) and the payload is located as a slice of the body. This is what lets a relay pass the
/// body on byte for byte while still knowing the status code and the payload size. Protobuf's rules apply: fields
/// may come in any order, the last payload wins, repeated status fields merge, unknown fields are skipped.
/// </summary>
internal static class TtrpcResponseScanner
{
    private const int WireVarint = 0;
    private const int WireFixed64 = 1;
    private const int WireLengthDelimited = 2;
    private const int WireFixed32 = 5;

    /// <summary>Scans <paramref name="body"/>; false with a reason when it is not a valid Response encoding.</summary>
    public static bool TryScan(ReadOnlySpan<byte> body, out Status? status, out int payloadOffset, out int payloadLength, out string error)
    {
        status = null;
        payloadOffset = 0;
        payloadLength = 0;
        error = string.Empty;
        var statusStart = -1;
        var statusLength = 0;
        var statusCount = 0;
        var position = 0;
        while (position < body.Length)
        {
            if (!TryReadVarint(body, ref position, out var tag) || tag > uint.MaxValue)
            {
                error = "truncated or invalid field tag";
                return false;
            }

            var field = tag >> 3;
            var wireType = (int)(tag & 7);
            if (field == 0)
            {
                error = "field number 0";
                return false;
            }

            switch (wireType)
            {
                case WireVarint:
                    if (!TryReadVarint(body, ref position, out _))
                    {
                        error = "truncated varint";
                        return false;
                    }

                    break;
                case WireFixed64:
                case WireFixed32:
                    var size = wireType == WireFixed64 ? 8 : 4;
                    if (body.Length - position < size)
                    {
                        error = "truncated fixed-width field";
                        return false;
                    }

                    position += size;
                    break;
                case WireLengthDelimited:
                    if (!TryReadVarint(body, ref position, out var length) || length > (ulong)(body.Length - position))
                    {
                        error = $"field {field}: length runs past the end of the frame";
                        return false;
                    }

                    if (field == 1)
                    {
                        statusStart = position;
                        statusLength = (int)length;
                        statusCount++;
                    }
                    else if (field == 2)
                    {
                        payloadOffset = position;
                        payloadLength = (int)length;
                    }

                    position += (int)length;
                    break;
                default:
                    error = $"unsupported wire type {wireType}";
                    return false;
            }
        }

        try
        {
            if (statusCount == 1)
            {
                status = Status.Parser.ParseFrom(body.Slice(statusStart, statusLength));
            }
            else if (statusCount > 1)
            {
                // Rare: several status fields merge into one message, as the full parser does it.
                status = Response.Parser.ParseFrom(body).Status;
            }
        }
        catch (Google.Protobuf.InvalidProtocolBufferException ex)
        {
            error = $"status: {ex.Message}";
            return false;
        }

        return true;
    }

    private static bool TryReadVarint(ReadOnlySpan<byte> span, ref int position, out ulong value)
    {
        value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (position >= span.Length)
            {
                return false;
            }

            var b = span[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return true;
            }
        }

        return false;
    }
}
