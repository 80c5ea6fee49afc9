using Grpc.Core;

namespace PodVm.Protocols.Ttrpc;

/// <summary>The error texts peers match on, kept in one place.</summary>
public static class TtrpcStatus
{
    /// <summary>What the Go client returns when the connection is gone; the Kata shim matches this string.</summary>
    public const string ClosedMessage = "ttrpc: closed";

    public static RpcException Closed() => new(new Status(StatusCode.Unavailable, ClosedMessage));

    public static RpcException UnknownService(string service) => new(new Status(StatusCode.Unimplemented, $"service {service}"));

    public static RpcException UnknownMethod(string method) => new(new Status(StatusCode.Unimplemented, $"method {method}"));

    public static string OversizedMessage(long length, int max) =>
        $"message length {length} exceed maximum message size of {max}";
}
