using Amazon;
using Amazon.EC2;
using Amazon.Runtime;

namespace PodVm.Providers.Aws;

/// <summary>Builds the SDK client: retry mode, timeouts, region and endpoint from the options, credentials from the chain.</summary>
internal static class Ec2ClientFactory
{
    /// <summary>Region used to sign requests to an overridden endpoint when none is configured.</summary>
    public const string DefaultSigningRegion = "us-east-1";

    public static IAmazonEC2 Create(AwsProviderOptions options)
    {
        var config = new AmazonEC2Config
        {
            RetryMode = options.RetryMode == AwsRetryMode.Adaptive ? RequestRetryMode.Adaptive : RequestRetryMode.Standard,
            MaxErrorRetry = options.MaxErrorRetry,
            Timeout = options.RequestTimeout,
        };

        if (options.ServiceUrl is { } serviceUrl)
        {
            config.ServiceURL = serviceUrl.ToString();
            config.AuthenticationRegion = options.Region ?? DefaultSigningRegion;
        }
        else if (options.Region is { } region)
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(region);
        }

        if (options.AccessKeyId is { } accessKeyId && options.SecretAccessKey is { } secretAccessKey)
        {
            AWSCredentials credentials = options.SessionToken is { } sessionToken
                ? new SessionAWSCredentials(accessKeyId, secretAccessKey, sessionToken)
                : new BasicAWSCredentials(accessKeyId, secretAccessKey);
            return new AmazonEC2Client(credentials, config);
        }

        // The standard chain: environment, shared config/credentials profile, web identity (IRSA), ECS, EC2 instance role.
        return new AmazonEC2Client(config);
    }
}
