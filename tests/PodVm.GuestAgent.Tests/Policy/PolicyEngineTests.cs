using PodVm.GuestAgent.Policy;

namespace PodVm.GuestAgent.Tests.Policy;

public sealed class PolicyEngineTests
{
    [Fact]
    public void CheckMethod_NoPolicy_AllowsEverything()
    {
        var engine = new PolicyEngine();

        Assert.True(engine.CheckMethod("ExecProcess").Allowed);
        Assert.True(engine.CheckCreateContainer("anything", ["/bin/sh"]).Allowed);
        Assert.False(engine.HasPolicy);
    }

    [Fact]
    public void CheckMethod_DeniedMethod_NamesTheRule()
    {
        var engine = new PolicyEngine(PolicyEngine.Parse("""{"version":"1","methods":{"ExecProcess":"deny"}}"""));

        var decision = engine.CheckMethod("ExecProcess");

        Assert.False(decision.Allowed);
        Assert.Equal("methods.ExecProcess", decision.Rule);
        Assert.Contains("methods.ExecProcess", decision.Message, StringComparison.Ordinal);
        Assert.True(engine.CheckMethod("CreateContainer").Allowed);
    }

    [Fact]
    public void CheckMethod_DefaultDeny_AllowsOnlyListed()
    {
        var engine = new PolicyEngine(PolicyEngine.Parse("""{"version":"1","default_action":"deny","methods":{"CreateContainer":"allow"}}"""));

        Assert.True(engine.CheckMethod("CreateContainer").Allowed);
        var denied = engine.CheckMethod("ReadStdout");
        Assert.False(denied.Allowed);
        Assert.Equal("default_action", denied.Rule);
    }

    [Fact]
    public void CheckCreateContainer_ImageNotAllowed_DeniedByAllowedImages()
    {
        var engine = new PolicyEngine(PolicyEngine.Parse("""{"version":"1","allowed_images":["docker.io/library/busybox:*","busybox"]}"""));

        Assert.True(engine.CheckCreateContainer("docker.io/library/busybox:1.36", ["sh"]).Allowed);
        Assert.True(engine.CheckCreateContainer("busybox", ["sh"]).Allowed);
        var d = engine.CheckCreateContainer("quay.io/evil/miner:latest", ["sh"]);
        Assert.False(d.Allowed);
        Assert.Equal("allowed_images", d.Rule);
    }

    [Fact]
    public void CheckCreateContainer_CommandGlob_MatchesJoinedArgs()
    {
        var engine = new PolicyEngine(PolicyEngine.Parse("""{"version":"1","allowed_commands":["/bin/sh -c echo *","sleep ?"]}"""));

        Assert.True(engine.CheckCreateContainer("busybox", ["/bin/sh", "-c", "echo hello world"]).Allowed);
        Assert.True(engine.CheckCreateContainer("busybox", ["sleep", "5"]).Allowed);
        Assert.False(engine.CheckCreateContainer("busybox", ["sleep", "50"]).Allowed);
        Assert.Equal("allowed_commands", engine.CheckCreateContainer("busybox", ["/bin/rm", "-rf", "/"]).Rule);
    }

    [Fact]
    public void CheckExec_MethodDenied_DeniedBeforeCommandRule()
    {
        var engine = new PolicyEngine(PolicyEngine.Parse("""{"version":"1","methods":{"ExecProcess":"deny"},"allowed_exec_commands":["*"]}"""));

        Assert.Equal("methods.ExecProcess", engine.CheckExec(["ls"]).Rule);
    }

    [Fact]
    public void CheckExec_CommandList_Enforced()
    {
        var engine = new PolicyEngine(PolicyEngine.Parse("""{"version":"1","allowed_exec_commands":["cat /etc/hostname"]}"""));

        Assert.True(engine.CheckExec(["cat", "/etc/hostname"]).Allowed);
        Assert.False(engine.CheckExec(["cat", "/etc/shadow"]).Allowed);
    }

    [Theory]
    [InlineData("package agent_policy\ndefault ExecProcessRequest := false", "Rego")]
    [InlineData("{\"version\":\"2\"}", "version")]
    [InlineData("{\"version\":\"1\",\"default_action\":\"maybe\"}", "default_action")]
    [InlineData("{\"version\":\"1\",\"methods\":{\"NoSuchMethod\":\"deny\"}}", "NoSuchMethod")]
    [InlineData("{\"version\":\"1\",\"unknown_key\":true}", "not valid")]
    [InlineData("{\"version\":\"1\",", "not valid")]
    public void Parse_BadPolicy_ThrowsWithReason(string text, string expected)
    {
        var ex = Assert.Throws<PolicyException>(() => PolicyEngine.Parse(text));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Set_ReplacesPolicyAtomically()
    {
        var engine = new PolicyEngine();
        engine.Set(PolicyEngine.Parse("""{"version":"1","methods":{"ReadStdout":"deny"}}"""));

        Assert.False(engine.CheckMethod("ReadStdout").Allowed);
        Assert.True(engine.HasPolicy);
    }

    [Theory]
    [InlineData("*", "", true)]
    [InlineData("a*c", "abbbc", true)]
    [InlineData("a*c", "abbbd", false)]
    [InlineData("a?c", "abc", true)]
    [InlineData("abc", "abcd", false)]
    [InlineData("*x*", "aaxbb", true)]
    public void Glob_IsMatch_Cases(string pattern, string text, bool expected) =>
        Assert.Equal(expected, Glob.IsMatch(pattern, text));
}
