using Google.Protobuf;
using PodVm.Protocols.Ttrpc.Wire;
using PodVm.Protocols.Ttrpc;

namespace PodVm.Protocols.Tests.Ttrpc;

/// <summary>
/// The malformed-response tests' common sequence: a call the backend answers with a frame that cannot be decoded, then
/// a call on the same connection that it answers properly (payload "ok").
/// </summary>
internal static class MalformedResponseCalls
{
    /// <summary>Makes the two calls through <paramref name="client"/>; <paramref name="agent"/> is the backend's side.</summary>
    public static async Task<(TtrpcRawResponse Failed, TtrpcRawResponse Answered)> BadThenGoodAsync(TtrpcClient client, RawTtrpcSocket agent)
    {
        var bad = client.CallRawAsync("grpc.AgentService", "ReadStdout", new byte[] { 1 }, null, CancellationToken.None);
        var badRequest = await agent.ReadFrameAsync();
        // Field 2 (payload) claims 100 bytes; 1 follows.
        await agent.SendAsync(RawTtrpcSocket.Frame(badRequest.StreamId, 2, 0, [0x12, 0x64, 0x00]));
        var failed = await bad.DefaultTimeout();

        var good = client.CallRawAsync("grpc.AgentService", "ReadStdout", new byte[] { 2 }, null, CancellationToken.None);
        var goodRequest = await agent.ReadFrameAsync();
        await agent.SendAsync(RawTtrpcSocket.Frame(goodRequest.StreamId, 2, 0, new Response { Payload = ByteString.CopyFromUtf8("ok") }.ToByteArray()));
        return (failed, await good.DefaultTimeout());
    }
}
