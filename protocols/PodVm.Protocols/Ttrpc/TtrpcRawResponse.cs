using Grpc.Core;
using PodVm.Protocols.Ttrpc.Wire;

namespace PodVm.Protocols.Ttrpc;

/// <summary>
/// A response as it travels: the status exactly as the peer sent it (null, or code 0, both mean success; the
/// details are kept) and the undecoded payload.
/// </summary>
public sealed record TtrpcRawResponse(Wire.Status? Status, ReadOnlyMemory<byte> Payload)
{
    public StatusCode Code => (StatusCode)(Status?.Code ?? 0);

    public bool IsSuccess => Code == StatusCode.OK;

    public static TtrpcRawResponse Success(ReadOnlyMemory<byte> payload) => new(null, payload);

    public static TtrpcRawResponse Error(StatusCode code, string message) =>
        new(new Wire.Status { Code = (int)code, Message = message }, ReadOnlyMemory<byte>.Empty);

    /// <summary>The error as the one exception type callers catch; only for a failed response.</summary>
    public RpcException ToException() => new(new Grpc.Core.Status(Code, Status?.Message ?? string.Empty));

    internal static TtrpcRawResponse FromWire(Response response) =>
        new(response.Status, response.Payload.Memory);
}
