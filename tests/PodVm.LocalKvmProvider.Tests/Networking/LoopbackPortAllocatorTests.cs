using PodVm.LocalKvmProvider.Networking;

namespace PodVm.LocalKvmProvider.Tests.Networking;

public sealed class LoopbackPortAllocatorTests
{
    [Fact]
    public void Reserve_Many_AllDistinctUntilReleased()
    {
        var allocator = new LoopbackPortAllocator();
        var ports = Enumerable.Range(0, 50).Select(_ => allocator.Reserve()).ToList();
        Assert.Equal(ports.Count, ports.Distinct().Count());
        Assert.All(ports, p => Assert.True(allocator.IsReserved(p)));
        allocator.Release(ports[0]);
        Assert.False(allocator.IsReserved(ports[0]));
    }
}
