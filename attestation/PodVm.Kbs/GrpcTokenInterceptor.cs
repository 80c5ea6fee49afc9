using System.Security.Cryptography;
using System.Text;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Options;

namespace PodVm.Kbs;

/// <summary>Requires <c>authorization: Bearer &lt;Kbs:GrpcToken&gt;</c> on every gRPC call (constant-time compare).</summary>
internal sealed class GrpcTokenInterceptor(IOptions<KbsOptions> options) : Interceptor
{
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        var expected = options.Value.GrpcToken;
        var header = context.RequestHeaders.GetValue("authorization");
        if (string.IsNullOrEmpty(expected) || header is null || !header.StartsWith("Bearer ", StringComparison.Ordinal)
            || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(header["Bearer ".Length..]), Encoding.UTF8.GetBytes(expected)))
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated, "a valid Bearer token is required"));
        }

        return continuation(request, context);
    }
}
