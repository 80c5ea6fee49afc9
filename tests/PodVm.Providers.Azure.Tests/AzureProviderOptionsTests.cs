using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PodVm.Providers.Fakes.Arm;

namespace PodVm.Providers.Azure.Tests;

public sealed class AzureProviderOptionsTests
{
    private static void ValidateAtStartup(Action<Dictionary<string, string?>> change)
    {
        var settings = AzureFakeEnvironment.DefaultSettings(new Uri("https://127.0.0.1:1/"));
        change(settings);
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.ToDictionary(kv => "Providers:Azure:" + kv.Key, kv => kv.Value))
            .Build();
        using var services = new ServiceCollection()
            .AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance)
            .AddSingleton(typeof(ILogger<>), typeof(Logger<>))
            .AddAzureCloudProvider(configuration)
            .BuildServiceProvider();
        services.GetRequiredService<IStartupValidator>().Validate();
    }

    [Theory]
    [InlineData("SubscriptionId", "my-sub", "Providers:Azure:SubscriptionId")]
    [InlineData("SubnetId", "pods", "Providers:Azure:SubnetId")]
    [InlineData("ImageId", "ubuntu", "Providers:Azure:ImageId")]
    [InlineData("SshPublicKey", "", "Providers:Azure:SshPublicKey")]
    [InlineData("AdminUsername", "root", "Providers:Azure:AdminUsername")]
    [InlineData("ResourceManagerEndpoint", "http://127.0.0.1:1/", "Providers:Azure:ResourceManagerEndpoint")]
    [InlineData("ClientSecret", "s3cr3t", "Providers:Azure:ClientSecret")]
    [InlineData("Location", "West Europe", "Providers:Azure:Location")]
    public void Validate_BadSetting_FailsNamingIt(string key, string value, string expected)
    {
        var error = Assert.Throws<OptionsValidationException>(() => ValidateAtStartup(s => s[key] = value));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_DiskWithGuestStateWithoutSecureBoot_Fails()
    {
        var error = Assert.Throws<OptionsValidationException>(() => ValidateAtStartup(s =>
        {
            s["DiskEncryption"] = "DiskWithVmGuestState";
            s["SecureBoot"] = "false";
        }));

        Assert.Contains("Providers:Azure:SecureBoot", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_TestSettings_Pass() => ValidateAtStartup(_ => { });

    [Fact]
    public void ToString_ClientSecret_Redacted()
    {
        var dump = new AzureProviderOptions { ClientId = "app", TenantId = "t", ClientSecret = "very-secret-value" }.ToString();

        Assert.DoesNotContain("very-secret-value", dump, StringComparison.Ordinal);
        Assert.Contains("AzureProviderOptions.ClientSecret = ***", dump, StringComparison.Ordinal);
        Assert.Contains("AzureProviderOptions.ClientId = app", dump, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("podvm.io/sandbox-id", "podvm.io:sandbox-id")]
    [InlineData("team", "team")]
    public void AzureTags_RoundTrip(string shared, string azure)
    {
        Assert.Equal(azure, AzureTags.ToAzure(shared));
        Assert.Equal(shared, AzureTags.FromAzure(azure));
    }

    [Theory]
    [InlineData("Standard_DC2as_v5", AzureTee.SevSnp, true)]
    [InlineData("Standard_EC4ads_v5", AzureTee.SevSnp, true)]
    [InlineData("Standard_DC2es_v5", AzureTee.Tdx, true)]
    [InlineData("Standard_DC2es_v5", AzureTee.SevSnp, false)]
    [InlineData("Standard_D2s_v5", AzureTee.SevSnp, false)]
    public void MatchesTee_VmSize_ByFamily(string size, AzureTee tee, bool expected) =>
        Assert.Equal(expected, AzureNames.MatchesTee(size, tee));
}
