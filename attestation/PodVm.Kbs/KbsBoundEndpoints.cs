using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace PodVm.Kbs;

/// <summary>The Kestrel listen options of the KBS, to learn the bound ports (port 0) after start.</summary>
public sealed class KbsBoundEndpoints
{
    internal List<ListenOptions> Http { get; } = [];

    internal List<ListenOptions> Grpc { get; } = [];

    /// <summary>The listeners that serve TLS.</summary>
    internal HashSet<ListenOptions> Https { get; } = [];

    public IReadOnlyList<Uri> HttpUris => [.. Http.Select(ToUri)];

    public IReadOnlyList<Uri> GrpcUris => [.. Grpc.Select(ToUri)];

    private Uri ToUri(ListenOptions o)
    {
        var endpoint = o.IPEndPoint ?? new IPEndPoint(IPAddress.Loopback, 0);
        var host = endpoint.Address.Equals(IPAddress.Any) ? "127.0.0.1" : endpoint.Address.ToString();
        return new Uri($"{(Https.Contains(o) ? "https" : "http")}://{host}:{endpoint.Port}");
    }
}
