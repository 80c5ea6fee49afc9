using PodVm.Protocols.Ttrpc;

namespace PodVm.Protocols.Tests.Ttrpc;

/// <summary>
/// The relay tests' common check: many calls in flight at once through a relay to a backend that answers each
/// payload reversed, and every caller gets its own answer whole.
/// </summary>
internal static class ConcurrentRelayCalls
{
    /// <summary>Backend fallback: answers the payload reversed.</summary>
    public static ValueTask<TtrpcRawResponse> Reverse(TtrpcRawRequest request, CancellationToken cancellationToken) =>
        ValueTask.FromResult(TtrpcRawResponse.Success(request.Payload.ToArray().Reverse().ToArray()));

    /// <summary>Makes <paramref name="count"/> ReadStdout calls at once, call i with a random payload of <paramref name="size"/>(i) bytes.</summary>
    public static async Task AssertEachGetsItsReversedPayloadAsync(TtrpcClient client, int count, Func<int, int> size, TtrpcCallOptions? options = null)
    {
        var calls = Enumerable.Range(0, count).Select(async i =>
        {
            var payload = new byte[size(i)];
            Random.Shared.NextBytes(payload);
            var response = await client.CallRawAsync("grpc.AgentService", "ReadStdout", payload, options, CancellationToken.None);
            return (Expected: payload.Reverse().ToArray(), Response: response);
        }).ToList();

        foreach (var (expected, response) in await Task.WhenAll(calls).DefaultTimeout())
        {
            Assert.True(response.IsSuccess, response.Status?.Message);
            Assert.Equal(expected, response.Payload.ToArray());
        }
    }
}
