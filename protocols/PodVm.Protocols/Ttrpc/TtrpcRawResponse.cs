using Grpc.Core;

namespace PodVm.Protocols.Ttrpc;

/// <summary>
/// A response as it travels: the status exactly as the peer sent it (null, or code 0, both mean success; the
/// details are kept) and the undecoded payload. A response a <see cref="TtrpcClient"/> received also keeps the
/// peer's encoded Response body, so that a relay's <see cref="TtrpcServer"/> writes it back byte for byte (only the
/// stream id in the frame header changes) instead of encoding it again; a copy made with <c>with</c> drops it.
/// </summary>
public sealed record TtrpcRawResponse(Wire.Status? Status, ReadOnlyMemory<byte> Payload)
{
    // The copy constructor `with` uses: the encoded frame describes the original, not the modified copy.
    private TtrpcRawResponse(TtrpcRawResponse original)
    {
        Status = original.Status;
        Payload = original.Payload;
    }

    public StatusCode Code => (StatusCode)(Status?.Code ?? 0);

    public bool IsSuccess => Code == StatusCode.OK;

    /// <summary>
    /// The peer's frame: <see cref="TtrpcFrameHeader.Size"/> bytes of room for a header, then the Response body as
    /// received. Null for responses made locally.
    /// </summary>
    internal byte[]? Framed { get; private init; }

    public static TtrpcRawResponse Success(ReadOnlyMemory<byte> payload) => new(null, payload);

    public static TtrpcRawResponse Error(StatusCode code, string message) =>
        new(new Wire.Status { Code = (int)code, Message = message }, ReadOnlyMemory<byte>.Empty);

    /// <summary>The error as the one exception type callers catch; only for a failed response.</summary>
    public RpcException ToException() => new(new Grpc.Core.Status(Code, Status?.Message ?? string.Empty));

    /// <summary>
    /// A response from a received frame: <paramref name="framed"/> holds header room then the body. The payload is a
    /// slice of it (no copy). Null with <paramref name="error"/> when the body is not a Response.
    /// </summary>
    internal static TtrpcRawResponse? FromFrame(byte[] framed, out string error)
    {
        var body = framed.AsSpan(TtrpcFrameHeader.Size);
        if (!TtrpcResponseScanner.TryScan(body, out var status, out var offset, out var length, out error))
        {
            return null;
        }

        return new TtrpcRawResponse(status, framed.AsMemory(TtrpcFrameHeader.Size + offset, length)) { Framed = framed };
    }
}
