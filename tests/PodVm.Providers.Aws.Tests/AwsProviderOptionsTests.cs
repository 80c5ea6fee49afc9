using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PodVm.CloudApiAdaptor.Providers;

namespace PodVm.Providers.Aws.Tests;

public sealed class AwsProviderOptionsTests
{
    private static void ValidateAtStartup(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.ToDictionary(kv => "Providers:Aws:" + kv.Key, kv => kv.Value))
            .Build();
        using var services = new ServiceCollection()
            .AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance)
            .AddSingleton(typeof(ILogger<>), typeof(Logger<>))
            .AddAwsCloudProvider(configuration)
            .BuildServiceProvider();
        services.GetRequiredService<IStartupValidator>().Validate();
    }

    [Fact]
    public void Validate_ImageIdMissing_FailsNamingTheSetting()
    {
        var error = Assert.Throws<OptionsValidationException>(() => ValidateAtStartup(new() { ["Region"] = "eu-west-1" }));

        Assert.Contains("Providers:Aws:ImageId is required", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ImageId", "ubuntu", "Providers:Aws:ImageId")]
    [InlineData("SubnetId", "vpc-1", "Providers:Aws:SubnetId")]
    [InlineData("SecurityGroupIds:0", "default", "Providers:Aws:SecurityGroupIds")]
    [InlineData("RootVolumeSizeGiB", "0", "Providers:Aws:RootVolumeSizeGiB")]
    [InlineData("RootVolumeType", "ssd", "Providers:Aws:RootVolumeType")]
    [InlineData("Region", "Europe", "Providers:Aws:Region")]
    [InlineData("PollInterval", "00:10:00", "Providers:Aws:PollInterval")]
    [InlineData("AccessKeyId", "AKIA0000", "Providers:Aws:SecretAccessKey")]
    public void Validate_BadSetting_FailsNamingIt(string key, string value, string expected)
    {
        var settings = new Dictionary<string, string?> { ["ImageId"] = "ami-0123456789abcdef0", [key] = value };

        var error = Assert.Throws<OptionsValidationException>(() => ValidateAtStartup(settings));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_KmsKeyWithoutEncryption_Fails()
    {
        var settings = new Dictionary<string, string?>
        {
            ["ImageId"] = "ami-0123456789abcdef0", ["KmsKeyId"] = "alias/podvm", ["EncryptRootVolume"] = "false",
        };

        var error = Assert.Throws<OptionsValidationException>(() => ValidateAtStartup(settings));

        Assert.Contains("Providers:Aws:EncryptRootVolume", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_MinimalSettings_Passes() => ValidateAtStartup(new() { ["ImageId"] = "ami-0123456789abcdef0" });

    [Fact]
    public void ToString_WithSecrets_RedactsThem()
    {
        var options = new AwsProviderOptions
        {
            ImageId = "ami-0123456789abcdef0", AccessKeyId = "AKIAEXAMPLE", SecretAccessKey = "wJalrXUtnFEMI/K7MDENG", SessionToken = "FwoGZXIvYXdzEJr",
            SecurityGroupIds = ["sg-0a1b2c3d4e5f60718"],
        };

        var dump = options.ToString();

        Assert.DoesNotContain("wJalrXUtnFEMI", dump, StringComparison.Ordinal);
        Assert.DoesNotContain("FwoGZXIvYXdzEJr", dump, StringComparison.Ordinal);
        Assert.Contains("AwsProviderOptions.SecretAccessKey = ***", dump, StringComparison.Ordinal);
        Assert.Contains("AwsProviderOptions.SessionToken = ***", dump, StringComparison.Ordinal);
        Assert.Contains("AwsProviderOptions.ImageId = ami-0123456789abcdef0", dump, StringComparison.Ordinal);
        Assert.Contains("AwsProviderOptions.SecurityGroupIds[0] = sg-0a1b2c3d4e5f60718", dump, StringComparison.Ordinal);
        Assert.Contains("AwsProviderOptions.CreateTimeout = 00:05:00", dump, StringComparison.Ordinal);
    }

    [Fact]
    public void ToString_NoSecrets_ShowsUnset()
    {
        var dump = new AwsProviderOptions().ToString();

        Assert.Contains("AwsProviderOptions.SecretAccessKey = (unset)", dump, StringComparison.Ordinal);
    }

    [Fact]
    public void RedactedDump_Format_IsStable()
    {
        Assert.Equal(RedactedDump.Format(new AwsProviderOptions()), RedactedDump.Format(new AwsProviderOptions()));
    }
}
