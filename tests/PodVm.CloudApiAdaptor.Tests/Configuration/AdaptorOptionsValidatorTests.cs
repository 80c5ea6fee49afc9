using PodVm.CloudApiAdaptor.Configuration;

namespace PodVm.CloudApiAdaptor.Tests.Configuration;

public sealed class AdaptorOptionsValidatorTests
{
    public static TheoryData<string, string> BadSettings => new()
    {
        { "SocketPath", "Adaptor:SocketPath" },
        { "PodsDirectory", "Adaptor:PodsDirectory" },
        { "StateDirectory", "Adaptor:StateDirectory" },
        { "Provider", "Adaptor:Provider" },
        { "ClusterName", "Adaptor:ClusterName" },
        { "NodeName", "Adaptor:NodeName" },
        { "DefaultInstanceType", "Adaptor:DefaultInstanceType" },
        { "MaxPodsZero", "Adaptor:MaxPods" },
        { "MaxPodsHuge", "Adaptor:MaxPods" },
        { "ForwarderPort", "Adaptor:ForwarderPort" },
        { "DefaultStartTimeout", "Adaptor:DefaultStartTimeout" },
        { "DeleteTimeout", "Adaptor:DeleteTimeout" },
        { "ReconcileInterval", "Adaptor:ReconcileInterval" },
        { "OrphanGracePeriod", "Adaptor:OrphanGracePeriod" },
        { "InstanceTypes", "Adaptor:InstanceTypes entry 'tiny'" },
        { "MetricsUrlRemote", "Adaptor:MetricsUrl" },
        { "MetricsUrlHttps", "Adaptor:MetricsUrl" },
        { "DefaultInitData", "Adaptor:DefaultInitData" },
    };

    private static AdaptorOptions Valid => new()
    {
        SocketPath = "/run/peerpod/hypervisor.sock",
        PodsDirectory = "/run/peerpod/pods",
        StateDirectory = "/var/lib/podvm/adaptor",
        NodeName = "node-a",
    };

    [Fact]
    public void Validate_Defaults_Succeed()
    {
        var result = new AdaptorOptionsValidator().Validate(null, Valid);

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Theory]
    [MemberData(nameof(BadSettings))]
    public void Validate_BadSetting_FailureNamesIt(string setting, string expected)
    {
        var options = setting switch
        {
            "SocketPath" => Valid with { SocketPath = "hypervisor.sock" },
            "PodsDirectory" => Valid with { PodsDirectory = "pods" },
            "StateDirectory" => Valid with { StateDirectory = "./state" },
            "Provider" => Valid with { Provider = "gcp" },
            "ClusterName" => Valid with { ClusterName = " " },
            "NodeName" => Valid with { NodeName = "" },
            "DefaultInstanceType" => Valid with { DefaultInstanceType = "" },
            "MaxPodsZero" => Valid with { MaxPods = 0 },
            "MaxPodsHuge" => Valid with { MaxPods = 10_001 },
            "ForwarderPort" => Valid with { ForwarderPort = 70000 },
            "DefaultStartTimeout" => Valid with { DefaultStartTimeout = TimeSpan.Zero },
            "DeleteTimeout" => Valid with { DeleteTimeout = TimeSpan.FromSeconds(-1) },
            "ReconcileInterval" => Valid with { ReconcileInterval = TimeSpan.FromSeconds(-1) },
            "OrphanGracePeriod" => Valid with { OrphanGracePeriod = TimeSpan.FromSeconds(-1) },
            "InstanceTypes" => Valid with { InstanceTypes = [new() { Name = "tiny", VCpus = 1, MemoryMiB = 16 }] },
            "MetricsUrlRemote" => Valid with { MetricsUrl = "http://0.0.0.0:15151" },
            "MetricsUrlHttps" => Valid with { MetricsUrl = "https://127.0.0.1:15151" },
            "DefaultInitData" => Valid with { DefaultInitData = "definitely not initdata" },
            _ => throw new ArgumentOutOfRangeException(nameof(setting)),
        };

        var result = new AdaptorOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        var failure = Assert.Single(result.Failures!);
        Assert.Contains(expected, failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_EmptyMetricsUrl_Allowed()
    {
        Assert.True(new AdaptorOptionsValidator().Validate(null, Valid with { MetricsUrl = "" }).Succeeded);
    }

    [Fact]
    public void Validate_SeveralBadSettings_AllReported()
    {
        var result = new AdaptorOptionsValidator().Validate(null, Valid with { SocketPath = "x", MaxPods = 0, Provider = "gcp" });

        Assert.Equal(3, result.Failures!.Count());
    }
}
