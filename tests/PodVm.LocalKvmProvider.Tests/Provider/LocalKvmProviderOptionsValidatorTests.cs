using PodVm.LocalKvmProvider.Provider;

namespace PodVm.LocalKvmProvider.Tests.Provider;

public sealed class LocalKvmProviderOptionsValidatorTests
{
    private static readonly LocalKvmProviderOptionsValidator Validator = new();

    [Fact]
    public void Validate_Defaults_Succeed()
    {
        Assert.True(Validator.Validate(null, new LocalKvmProviderOptions()).Succeeded);
    }

    [Fact]
    public void Validate_BadSettings_EachFailureNamesItsSetting()
    {
        var options = new LocalKvmProviderOptions
        {
            Accelerator = "hvf",
            InstanceTypes = [new() { Name = "a", VCpus = 0, MemoryMiB = 32 }, new() { Name = "a", VCpus = 1, MemoryMiB = 128 }],
            PowerdownTimeout = TimeSpan.FromSeconds(-1),
            StateDirectory = "/" + new string('x', 80),
        };

        var result = Validator.Validate(null, options);

        Assert.True(result.Failed);
        var failures = result.Failures!.ToList();
        Assert.Contains(failures, f => f.Contains("LocalKvm:Accelerator", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("LocalKvm:InstanceTypes:0:VCpus", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("LocalKvm:InstanceTypes:0:MemoryMiB", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("names 'a' more than once", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("LocalKvm:PowerdownTimeout", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("LocalKvm:StateDirectory", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_NoInstanceTypes_Fails()
    {
        var result = Validator.Validate(null, new LocalKvmProviderOptions { InstanceTypes = [] });
        Assert.Contains("InstanceTypes is empty", result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/opt/nowhere/swtpm", "does not exist")]
    [InlineData(" ", "SwtpmBinary is empty")]
    public void Validate_BadSwtpmBinary_FailsNamingTheSetting(string binary, string expected)
    {
        var result = Validator.Validate(null, new LocalKvmProviderOptions { SwtpmBinary = binary });

        Assert.True(result.Failed);
        Assert.Contains("LocalKvm:SwtpmBinary", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains(expected, result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_SwtpmBareNameNotInstalled_AcceptedAtStartUp()
    {
        // Only VMs that ask for a vTPM need it; their create names the missing package.
        Assert.True(Validator.Validate(null, new LocalKvmProviderOptions { SwtpmBinary = "swtpm-not-installed-here" }).Succeeded);
    }
}
