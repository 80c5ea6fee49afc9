namespace PodVm.Providers.Aws;

/// <summary>The AWS SDK retry mode (see the SDK's "retry behavior" reference).</summary>
public enum AwsRetryMode
{
    /// <summary>Exponential back-off with jitter and a retry quota.</summary>
    Standard = 0,

    /// <summary>Standard plus client-side rate limiting that slows down when EC2 throttles.</summary>
    Adaptive,
}
