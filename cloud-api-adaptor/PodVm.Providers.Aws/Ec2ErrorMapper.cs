using System.Net;
using Amazon.EC2;
using Amazon.Runtime;
using PodVm.CloudApiAdaptor.Providers;

namespace PodVm.Providers.Aws;

/// <summary>Sorts EC2 error codes (the API reference's "Error codes" list) into <see cref="ProviderErrorReason"/>.</summary>
internal static class Ec2ErrorMapper
{
    public static ProviderErrorReason Reason(AmazonServiceException exception) => exception.ErrorCode switch
    {
        "RequestLimitExceeded" or "Throttling" or "ThrottlingException" or "RequestThrottled" => ProviderErrorReason.Throttled,
        "InsufficientInstanceCapacity" or "InsufficientCapacity" or "InsufficientHostCapacity"
            or "InsufficientAddressCapacity" or "InsufficientReservedInstanceCapacity" or "Unsupported"
            => ProviderErrorReason.InsufficientCapacity,
        "InstanceLimitExceeded" or "VcpuLimitExceeded" or "VolumeLimitExceeded" or "MaxIOPSLimitExceeded"
            or "ResourceLimitExceeded" or "AddressLimitExceeded" or "MaxSpotInstanceCountExceeded"
            => ProviderErrorReason.QuotaExceeded,
        "InvalidAMIID.NotFound" or "InvalidAMIID.Malformed" or "InvalidAMIID.Unavailable" => ProviderErrorReason.ImageNotFound,
        "InvalidSubnetID.NotFound" or "InvalidSubnetID.Malformed" or "InvalidGroup.NotFound" or "InvalidGroupId.Malformed"
            or "InvalidParameterValue" or "InvalidParameterCombination" or "InvalidParameter" or "MissingParameter"
            or "UnauthorizedOperation" or "AuthFailure" or "OptInRequired" or "UnsupportedOperation"
            or "InvalidParameterDependency" or "IdempotentParameterMismatch" or "InvalidKeyPair.NotFound"
            or "InvalidIamInstanceProfile.NotFound" or "KMS.DisabledException" or "KMS.NotFoundException"
            or "InvalidClientTokenId" or "SignatureDoesNotMatch" or "Blocked" or "PendingVerification"
            => ProviderErrorReason.InvalidConfiguration,
        "InternalError" or "InternalFailure" or "ServiceUnavailable" or "Unavailable" => ProviderErrorReason.Unavailable,
        _ when (int)exception.StatusCode >= 500 => ProviderErrorReason.Unavailable,
        _ when exception.StatusCode == HttpStatusCode.TooManyRequests => ProviderErrorReason.Throttled,
        _ => ProviderErrorReason.Internal,
    };

    /// <summary>What to tell the user for each reason: what failed and what to do.</summary>
    public static string Advice(ProviderErrorReason reason) => reason switch
    {
        ProviderErrorReason.Throttled => "EC2 is throttling this account; the adaptor backs off and retries.",
        ProviderErrorReason.InsufficientCapacity => "no EC2 capacity for the instance type(s) in this zone; allow more instance types or another subnet.",
        ProviderErrorReason.QuotaExceeded => "an EC2 quota is exhausted; raise it in Service Quotas or delete unused instances.",
        ProviderErrorReason.ImageNotFound => "check Providers:Aws:ImageId or the pod's image annotation and that the AMI is shared with this account.",
        ProviderErrorReason.InvalidConfiguration => "check the Providers:Aws settings (subnet, security groups, IAM permissions in docs/providers/aws.md).",
        ProviderErrorReason.Unavailable => "EC2 answered with a server error; the adaptor retries.",
        _ => "see the adaptor log for the EC2 request id.",
    };

    public static ProviderException ToProviderException(AmazonServiceException exception, string what)
    {
        var reason = Reason(exception);
        return new ProviderException(
            reason,
            $"{what} failed: EC2 {exception.ErrorCode ?? ((int)exception.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture)}: {exception.Message} (request {exception.RequestId}); {Advice(reason)}",
            exception);
    }

    public static bool IsNotFound(AmazonEC2Exception exception) =>
        exception.ErrorCode is "InvalidInstanceID.NotFound" or "InvalidInstanceID.Malformed";
}
