using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PodVm.CloudApiAdaptor.Providers;

namespace PodVm.Providers.Fakes;

/// <summary>
/// What the AWS and Azure fake environments share: the provider registered through its public DI extension from
/// settings under its configuration section, options validated as at start-up, and the create requests tests send.
/// </summary>
public static class FakeProviderServices
{
    /// <summary>
    /// Builds the container with <paramref name="settings"/> (keys relative to <paramref name="sectionName"/>) and runs
    /// every start-up validator, so a test environment fails like a misconfigured adaptor would.
    /// </summary>
    public static ServiceProvider Build(
        string sectionName,
        Dictionary<string, string?> settings,
        ILoggerFactory? loggerFactory,
        Func<IServiceCollection, IConfiguration, IServiceCollection> register)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(register);
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.ToDictionary(kv => $"{sectionName}:{kv.Key}", kv => kv.Value))
            .Build();
        var services = new ServiceCollection()
            .AddSingleton(loggerFactory ?? NullLoggerFactory.Instance)
            .AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        var provider = register(services, configuration).BuildServiceProvider();
        try
        {
            provider.GetRequiredService<IStartupValidator>().Validate();
            return provider;
        }
        catch
        {
            provider.Dispose();
            throw;
        }
    }

    /// <summary>A create request for a new sandbox with the tags the adaptor core puts on every VM.</summary>
    public static CreateInstanceRequest Request(string sandboxId, string instanceType, bool confidential, int userDataBytes, string podName, bool tpm = false) => new()
    {
        SandboxId = sandboxId,
        InstanceName = "podvm-web-" + sandboxId[..Math.Min(8, sandboxId.Length)],
        InstanceType = new InstanceType(instanceType, 2, 8192),
        UserData = Enumerable.Range(0, userDataBytes).Select(i => (byte)('a' + (i % 26))).ToArray(),
        Confidential = confidential,
        Tpm = tpm,
        Tags = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [InstanceTags.ManagedBy] = InstanceTags.ManagedByValue,
            [InstanceTags.Cluster] = "test-cluster",
            [InstanceTags.Node] = "node-1",
            [InstanceTags.SandboxId] = sandboxId,
            [InstanceTags.PodName] = podName,
            [InstanceTags.PodNamespace] = "default",
        },
    };
}
