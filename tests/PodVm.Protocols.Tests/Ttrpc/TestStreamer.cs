using Grpc.Core;
using PodVm.Protocols.Tests.Streaming;

namespace PodVm.Protocols.Tests.Ttrpc;

internal sealed class TestStreamer : Streamer.StreamerBase
{
    public override Task<Item> Echo(Item request, ServerCallContext context) => Task.FromResult(request);

    public override async Task Count(Item request, IServerStreamWriter<Item> responseStream, ServerCallContext context)
    {
        if (request.Value < 0)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "count must not be negative"));
        }

        for (var i = 1; i <= request.Value; i++)
        {
            await responseStream.WriteAsync(new Item { Value = i });
        }
    }

    public override async Task<Item> Sum(IAsyncStreamReader<Item> requestStream, ServerCallContext context)
    {
        long sum = 0;
        while (await requestStream.MoveNext(context.CancellationToken))
        {
            sum += requestStream.Current.Value;
        }

        return new Item { Value = sum };
    }

    public override async Task Chat(IAsyncStreamReader<Item> requestStream, IServerStreamWriter<Item> responseStream, ServerCallContext context)
    {
        while (await requestStream.MoveNext(context.CancellationToken))
        {
            await responseStream.WriteAsync(new Item { Value = requestStream.Current.Value * 2, Text = requestStream.Current.Text });
        }
    }
}
