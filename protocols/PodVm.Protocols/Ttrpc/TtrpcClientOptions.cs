using Microsoft.Extensions.Logging;

namespace PodVm.Protocols.Ttrpc;

public sealed record TtrpcClientOptions
{
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    public ILoggerFactory? LoggerFactory { get; init; }

    public int MaxMessageLength { get; init; } = TtrpcFrameHeader.MaxMessageLength;

    /// <summary>How long <see cref="TtrpcClient.ConnectAsync"/> tries to connect before it gives up.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);
}
