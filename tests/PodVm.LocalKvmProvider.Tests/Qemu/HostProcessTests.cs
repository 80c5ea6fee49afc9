using PodVm.LocalKvmProvider.Qemu;

namespace PodVm.LocalKvmProvider.Tests.Qemu;

public sealed class HostProcessTests
{
    [Fact]
    public void IsAlive_CurrentProcessWithItsStartTime_True()
    {
        var start = HostProcess.StartTime(Environment.ProcessId);
        Assert.NotNull(start);
        Assert.True(HostProcess.IsAlive(Environment.ProcessId, start.Value));
    }

    [Fact]
    public void IsAlive_RecycledPid_False()
    {
        var start = HostProcess.StartTime(Environment.ProcessId)!.Value;
        Assert.False(HostProcess.IsAlive(Environment.ProcessId, start + 1));
    }

    [Fact]
    public void StartTime_NoSuchProcess_Null()
    {
        Assert.Null(HostProcess.StartTime(int.MaxValue));
        Assert.Null(HostProcess.ResidentKiB(int.MaxValue));
        Assert.Null(HostProcess.AnonymousKiB(int.MaxValue));
    }

    [Fact]
    public void AnonymousKiB_CurrentProcess_PositiveAndAtMostResident()
    {
        var anonymous = HostProcess.AnonymousKiB(Environment.ProcessId);
        Assert.True(anonymous > 0);
        Assert.True(anonymous <= HostProcess.ResidentKiB(Environment.ProcessId) + 1024);
    }

    [Fact]
    public void ResidentKiB_CurrentProcess_Positive()
    {
        Assert.True(HostProcess.ResidentKiB(Environment.ProcessId) > 0);
    }
}
