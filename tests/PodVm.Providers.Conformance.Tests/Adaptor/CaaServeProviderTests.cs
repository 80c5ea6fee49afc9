using System.Diagnostics;
using System.Text.Json.Nodes;
using PodVm.CloudApiAdaptor.Providers;
using PodVm.Providers.Fakes.Arm;
using PodVm.Providers.Fakes.Ec2;

namespace PodVm.Providers.Conformance.Tests.Adaptor;

/// <summary>
/// `podvm caa serve --provider aws|azure --config FILE` as a real process: the provider and its options section are
/// wired and validated at start-up (a bad value stops it with a message naming the setting and a non-zero exit
/// code), and with the EC2 fake the daemon's own reconciler finds this node's orphan by tag and terminates it.
/// </summary>
public sealed class CaaServeProviderTests : IDisposable
{
    private static readonly TimeSpan ProcessDeadline = TimeSpan.FromSeconds(90);

    private readonly string _root = Directory.CreateTempSubdirectory("pvcaa-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static JsonObject Section(IReadOnlyDictionary<string, string?> settings)
    {
        var section = new JsonObject();
        foreach (var (key, value) in settings)
        {
            var parts = key.Split(':');
            if (parts.Length == 2 && int.TryParse(parts[1], out _))
            {
                if (section[parts[0]] is not JsonArray array)
                {
                    array = [];
                    section[parts[0]] = array;
                }

                array.Add(value);
            }
            else
            {
                section[key] = value;
            }
        }

        return section;
    }

    private static JsonObject Settings(JsonObject adaptor, string provider, JsonObject providerSection) => new()
    {
        ["Adaptor"] = adaptor,
        ["Providers"] = new JsonObject { [provider] = providerSection },
    };

    [Fact]
    public async Task Serve_AwsAgainstEc2Fake_ReadyAndReconcilerTerminatesOrphanByTag()
    {
        await using var fake = await FakeEc2Server.StartAsync().DefaultTimeout();
        var owner = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [InstanceTags.ManagedBy] = InstanceTags.ManagedByValue,
            [InstanceTags.Cluster] = "test-cluster",
            [InstanceTags.Node] = "node-1",
            [InstanceTags.SandboxId] = "lost-sandbox",
        };
        var orphan = fake.AddInstance("m6a.large", owner);
        var foreign = fake.AddInstance("m6a.large", new Dictionary<string, string>(owner) { [InstanceTags.Node] = "node-2" });
        var metrics = CaaServeProcess.FreeLoopbackUrl();
        var settings = Settings(
            CaaServeProcess.AdaptorSection(_root, metrics, reconcileInterval: "00:00:00.500"),
            "Aws",
            Section(AwsFakeEnvironment.DefaultSettings(fake.Endpoint)));

        await using var caa = CaaServeProcess.Start("aws", settings, _root, metrics);
        await caa.WaitUntilReadyAsync(ProcessDeadline);
        var stopwatch = Stopwatch.StartNew();
        while (fake.Instances.Single(i => i.InstanceId == orphan).State is not ("shutting-down" or "terminated"))
        {
            Assert.True(stopwatch.Elapsed < ProcessDeadline, $"the orphan was not terminated within {ProcessDeadline}:\n{caa.Output}");
            await Task.Delay(TimeSpan.FromMilliseconds(100), TestContext.Current.CancellationToken);
        }

        Assert.Equal("running", fake.Instances.Single(i => i.InstanceId == foreign).State);
        fake.Violations.AssertNone();
    }

    [Fact]
    public async Task Serve_AzureValidSettings_Ready()
    {
        var metrics = CaaServeProcess.FreeLoopbackUrl();
        var azure = Section(AzureFakeEnvironment.DefaultSettings(new Uri("https://127.0.0.1:9/")));
        var settings = Settings(CaaServeProcess.AdaptorSection(_root, metrics, reconcileInterval: "00:00:00"), "Azure", azure);

        await using var caa = CaaServeProcess.Start("azure", settings, _root, metrics);

        await caa.WaitUntilReadyAsync(ProcessDeadline);
    }

    [Theory]
    [InlineData("aws", "SubnetId", "vpc-12345", "Providers:Aws:SubnetId")]
    [InlineData("aws", "Region", "Europe", "Providers:Aws:Region")]
    [InlineData("azure", "Location", "West Europe", "Providers:Azure:Location")]
    [InlineData("azure", "SshPublicKey", "", "Providers:Azure:SshPublicKey")]
    public async Task Serve_BadProviderSetting_ExitsNonZeroNamingTheSetting(string provider, string key, string value, string expected)
    {
        var metrics = CaaServeProcess.FreeLoopbackUrl();
        var providerSettings = provider == "aws"
            ? AwsFakeEnvironment.DefaultSettings(new Uri("http://127.0.0.1:9/"))
            : AzureFakeEnvironment.DefaultSettings(new Uri("https://127.0.0.1:9/"));
        providerSettings[key] = value;
        var settings = Settings(
            CaaServeProcess.AdaptorSection(_root, metrics, reconcileInterval: "00:00:00"),
            provider == "aws" ? "Aws" : "Azure",
            Section(providerSettings));

        await using var caa = CaaServeProcess.Start(provider, settings, _root, metrics);
        var exitCode = await caa.WaitForExitAsync(ProcessDeadline);

        Assert.NotEqual(0, exitCode);
        Assert.Contains(expected, caa.Output, StringComparison.Ordinal);
        Assert.Contains("invalid configuration", caa.Output, StringComparison.Ordinal);
    }
}
