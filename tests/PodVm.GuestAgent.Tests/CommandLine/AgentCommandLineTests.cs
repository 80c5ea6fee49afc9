namespace PodVm.GuestAgent.Tests.CommandLine;

public sealed class AgentCommandLineTests
{
    [Fact]
    public void Parse_Notify_PathKept()
    {
        var options = AgentCommandLine.Parse(["--notify", "/run/podvm/agent.notify", "--listen", "unix:///tmp/a.sock"]);

        Assert.Equal("/run/podvm/agent.notify", options.NotifyPath);
        Assert.Equal("unix:///tmp/a.sock", options.Listen);
    }

    [Fact]
    public void Parse_NoNotify_Null()
    {
        Assert.Null(AgentCommandLine.Parse([]).NotifyPath);
    }

    [Theory]
    [InlineData("--notify")]
    [InlineData("--unknown", "x")]
    public void Parse_IncompleteOrUnknown_ArgumentExceptionNamingIt(params string[] args)
    {
        var ex = Assert.Throws<ArgumentException>(() => AgentCommandLine.Parse(args));

        Assert.Contains(args[0], ex.Message, StringComparison.Ordinal);
    }
}
