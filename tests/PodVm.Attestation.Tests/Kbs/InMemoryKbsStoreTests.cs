using PodVm.Attestation.Kbs;

namespace PodVm.Attestation.Tests.Kbs;

public sealed class InMemoryKbsStoreTests
{
    [Fact]
    public async Task GetResourceAsync_CallerZeroesWhatItGot_NextReleaseStillHasTheValue()
    {
        var store = new InMemoryKbsStore(TimeProvider.System);
        await store.SetResourceAsync("default/key/1", "secret"u8.ToArray(), CancellationToken.None);

        var first = await store.GetResourceAsync("default/key/1", CancellationToken.None);
        Array.Clear(first!);
        var second = await store.GetResourceAsync("default/key/1", CancellationToken.None);

        Assert.Equal("secret"u8.ToArray(), second);
    }
}
