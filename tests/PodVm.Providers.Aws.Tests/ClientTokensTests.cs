using Amazon.EC2;
using Amazon.Runtime;
using PodVm.CloudApiAdaptor.Providers;

namespace PodVm.Providers.Aws.Tests;

public sealed class ClientTokensTests
{
    [Fact]
    public void For_SameSandbox_SameTokenWithinEc2Limit()
    {
        var sandbox = new string('f', 64);

        var first = ClientTokens.For(sandbox, 0);

        Assert.Equal(first, ClientTokens.For(sandbox, 0));
        Assert.True(first.Length <= 64);
        Assert.True(ClientTokens.For(sandbox, 2).Length <= 64);
        Assert.All(first, c => Assert.True(c < 128));
    }

    [Fact]
    public void For_DifferentSandboxOrGeneration_DifferentToken()
    {
        Assert.NotEqual(ClientTokens.For("a", 0), ClientTokens.For("b", 0));
        Assert.NotEqual(ClientTokens.For("a", 0), ClientTokens.For("a", 1));
    }

    [Theory]
    [InlineData("RequestLimitExceeded", 503, ProviderErrorReason.Throttled)]
    [InlineData("InsufficientInstanceCapacity", 500, ProviderErrorReason.InsufficientCapacity)]
    [InlineData("Unsupported", 400, ProviderErrorReason.InsufficientCapacity)]
    [InlineData("InstanceLimitExceeded", 400, ProviderErrorReason.QuotaExceeded)]
    [InlineData("VcpuLimitExceeded", 400, ProviderErrorReason.QuotaExceeded)]
    [InlineData("InvalidAMIID.NotFound", 400, ProviderErrorReason.ImageNotFound)]
    [InlineData("UnauthorizedOperation", 403, ProviderErrorReason.InvalidConfiguration)]
    [InlineData("InternalError", 500, ProviderErrorReason.Unavailable)]
    [InlineData("SomethingNew", 502, ProviderErrorReason.Unavailable)]
    [InlineData("SomethingNew", 400, ProviderErrorReason.Internal)]
    public void Reason_Ec2ErrorCode_MapsToProviderReason(string code, int status, ProviderErrorReason expected)
    {
        var exception = new AmazonEC2Exception("m", ErrorType.Unknown, code, "req", (System.Net.HttpStatusCode)status);

        Assert.Equal(expected, Ec2ErrorMapper.Reason(exception));
    }
}
