using PodVm.AgentProtocolForwarder.Forwarding;

namespace PodVm.AgentProtocolForwarder.Tests;

public sealed class ForwarderCommandLineTests
{
    [Fact]
    public void Parse_NoFlags_UpstreamDefaults()
    {
        var options = ForwarderCommandLine.Parse([]);

        Assert.Equal("0.0.0.0:15150", options.Listen);
        Assert.False(options.ProcessUserDataFirst);
        Assert.Null(options.NotifyPath);
        Assert.False(options.DisableTls);
    }

    [Theory]
    [InlineData("-user-data", "/sys/firmware/qemu_fw_cfg/by_name/opt/podvm/userdata/raw")]
    [InlineData("--user-data", "/tmp/u")]
    public void Parse_UserData_PathKept(string flag, string path)
    {
        var options = ForwarderCommandLine.Parse(["-process-user-data-first", flag, path]);

        Assert.True(options.ProcessUserDataFirst);
        Assert.Equal(path, options.UserDataPath);
        Assert.Null(ForwarderCommandLine.Parse([]).UserDataPath);
    }

    [Fact]
    public void ForwarderLogCategory_IsTheForwardersFullTypeName()
    {
        Assert.Equal(ForwarderLog.Category, typeof(AgentForwarder).FullName);
    }

    [Theory]
    [InlineData("-process-user-data-first")]
    [InlineData("--process-user-data-first")]
    [InlineData("-process-user-data-first=true")]
    public void Parse_ProcessUserDataFirst_Set(string flag)
    {
        Assert.True(ForwarderCommandLine.Parse([flag]).ProcessUserDataFirst);
    }

    [Fact]
    public void Parse_ProcessUserDataFirstFalse_Cleared()
    {
        Assert.False(ForwarderCommandLine.Parse(["-process-user-data-first=false"]).ProcessUserDataFirst);
    }

    [Theory]
    [InlineData("-notify", "/run/podvm/forwarder.notify")]
    [InlineData("--notify=/run/podvm/forwarder.notify", null)]
    public void Parse_Notify_PathKept(string flag, string? value)
    {
        string[] args = value is null ? [flag] : [flag, value];

        Assert.Equal("/run/podvm/forwarder.notify", ForwarderCommandLine.Parse(args).NotifyPath);
    }

    [Fact]
    public void Parse_NotifyWithoutValue_NamesTheFlag()
    {
        var ex = Assert.Throws<ArgumentException>(() => ForwarderCommandLine.Parse(["-notify"]));

        Assert.Contains("-notify needs a value", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_Help_UsageNamesTheNewFlags()
    {
        var ex = Assert.Throws<ArgumentException>(() => ForwarderCommandLine.Parse(["--help"]));

        Assert.Contains("-process-user-data-first", ex.Message, StringComparison.Ordinal);
        Assert.Contains("-notify <path>", ex.Message, StringComparison.Ordinal);
    }
}
