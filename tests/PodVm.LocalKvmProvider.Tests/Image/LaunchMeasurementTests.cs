using System.Security.Cryptography;
using PodVm.LocalKvmProvider.Image;

namespace PodVm.LocalKvmProvider.Tests.Image;

public sealed class LaunchMeasurementTests
{
    // Computed independently: sha384(b"podvm-local-dev-tee/measurement/v1\0" + sha384(b"kernel") + sha384(b"initrd") + sha384(b"console=ttyS0")).
    private const string KnownVector = "89620ba8f3a867aca7a6a0b9f60d92e4f98645f1d4b9d6d917dca2d2d4bbcb3c8d0b4a91fb4709d9f11463a1e59467fb";

    [Fact]
    public void Combine_KnownInputs_MatchesIndependentVector()
    {
        var digest = LaunchMeasurement.Combine(SHA384.HashData("kernel"u8), SHA384.HashData("initrd"u8), "console=ttyS0");
        Assert.Equal(KnownVector, Convert.ToHexStringLower(digest));
    }

    [Fact]
    public void Compute_Files_SameAsCombineOfTheirDigests()
    {
        var kernel = Path.GetTempFileName();
        var initrd = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(kernel, "kernel"u8.ToArray());
            File.WriteAllBytes(initrd, "initrd"u8.ToArray());
            Assert.Equal(KnownVector, Convert.ToHexStringLower(LaunchMeasurement.Compute(kernel, initrd, "console=ttyS0")));
        }
        finally
        {
            File.Delete(kernel);
            File.Delete(initrd);
        }
    }

    [Theory]
    [InlineData("kernel", "initrX", "console=ttyS0")]
    [InlineData("kernel", "initrd", "console=ttyS1")]
    [InlineData("kerneL", "initrd", "console=ttyS0")]
    public void Combine_OneInputChanged_DigestChanges(string kernel, string initrd, string commandLine)
    {
        var digest = LaunchMeasurement.Combine(SHA384.HashData(System.Text.Encoding.UTF8.GetBytes(kernel)), SHA384.HashData(System.Text.Encoding.UTF8.GetBytes(initrd)), commandLine);
        Assert.NotEqual(KnownVector, Convert.ToHexStringLower(digest));
    }

    [Fact]
    public void Combine_WrongDigestLength_Throws()
    {
        Assert.Throws<ArgumentException>(() => LaunchMeasurement.Combine(SHA256.HashData("k"u8), SHA384.HashData("i"u8), ""));
    }
}
