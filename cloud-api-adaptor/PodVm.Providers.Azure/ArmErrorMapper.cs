using global::Azure;
using PodVm.CloudApiAdaptor.Providers;

namespace PodVm.Providers.Azure;

/// <summary>Sorts ARM and Compute error codes into <see cref="ProviderErrorReason"/>.</summary>
internal static class ArmErrorMapper
{
    public static ProviderErrorReason Reason(RequestFailedException exception) => exception.ErrorCode switch
    {
        "TooManyRequests" or "SubscriptionRequestsThrottled" or "ResourceRequestsThrottled" => ProviderErrorReason.Throttled,
        "AllocationFailed" or "ZonalAllocationFailed" or "OverconstrainedAllocationRequest"
            or "OverconstrainedZonalAllocationRequest" or "SkuNotAvailable" or "AllocationTimedOut"
            => ProviderErrorReason.InsufficientCapacity,
        "QuotaExceeded" or "ResourceQuotaExceeded" or "OperationNotAllowed" or "NetworkInterfaceCountLimitReached"
            => ProviderErrorReason.QuotaExceeded,
        "ImageNotFound" or "GalleryImageNotFound" or "PlatformImageNotFound" or "InvalidImageReference"
            => ProviderErrorReason.ImageNotFound,
        "OSProvisioningTimedOut" or "OSProvisioningClientError" or "OSProvisioningInternalError" or "VMStartTimedOut"
            or "VMAgentStatusCommunicationError" => ProviderErrorReason.InstanceFailed,
        "InvalidParameter" or "BadRequest" or "InvalidResourceReference" or "AuthorizationFailed"
            or "LinkedAuthorizationFailed" or "InvalidApiVersionParameter" or "SubscriptionNotFound"
            or "ResourceGroupNotFound" or "InvalidTagNameCharacters" or "InvalidTag" or "InvalidTagValueLength"
            or "PropertyChangeNotAllowed" or "NicReservedForAnotherVm" or "LocationNotAvailableForResourceType"
            or "MissingSubscriptionRegistration" or "InvalidRequestFormat" or "InvalidRequestContent"
            or "AuthenticationFailed" or "InvalidAuthenticationToken" or "LocationRequired"
            => ProviderErrorReason.InvalidConfiguration,
        _ when exception.Status == 429 => ProviderErrorReason.Throttled,
        _ when exception.Status is 408 or 504 => ProviderErrorReason.Timeout,
        _ when exception.Status >= 500 || exception.Status == 0 => ProviderErrorReason.Unavailable,
        _ when exception.Status is 401 or 403 => ProviderErrorReason.InvalidConfiguration,
        _ => ProviderErrorReason.Internal,
    };

    public static string Advice(ProviderErrorReason reason) => reason switch
    {
        ProviderErrorReason.Throttled => "ARM is throttling this subscription; the adaptor honours Retry-After and retries.",
        ProviderErrorReason.InsufficientCapacity => "no capacity for the VM size in this region; allow more confidential VM sizes.",
        ProviderErrorReason.QuotaExceeded => "a subscription quota is exhausted (cores of the DCas/ECas family, NICs); raise it or delete unused VMs.",
        ProviderErrorReason.ImageNotFound => "check Providers:Azure:ImageId or the pod's image annotation, and that the image is replicated to this region.",
        ProviderErrorReason.InvalidConfiguration => "check the Providers:Azure settings and the RBAC actions listed in docs/providers/azure.md.",
        ProviderErrorReason.InstanceFailed => "the VM was created but did not boot; check the pod VM image and the VM's boot diagnostics.",
        ProviderErrorReason.Unavailable => "ARM answered with a server error; the adaptor retries.",
        ProviderErrorReason.Timeout => "ARM did not answer in time; the adaptor retries.",
        _ => "see the adaptor log for the ARM correlation id.",
    };

    public static ProviderException ToProviderException(RequestFailedException exception, string what)
    {
        var reason = Reason(exception);
        var code = exception.ErrorCode ?? exception.Status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return new ProviderException(reason, $"{what} failed: ARM {code}: {FirstLine(exception.Message)}; {Advice(reason)}", exception);
    }

    /// <summary>Azure.Core gives up after its retries with an AggregateException of what each try saw.</summary>
    public static ProviderException FromRetriesExhausted(AggregateException exception, string what)
    {
        var last = exception.InnerExceptions.LastOrDefault();
        return last switch
        {
            RequestFailedException failed => ToProviderException(failed, what),
            OperationCanceledException => new ProviderException(ProviderErrorReason.Timeout,
                $"{what} failed: ARM did not answer within Providers:Azure:NetworkTimeout, {exception.InnerExceptions.Count} tries.", exception),
            _ => new ProviderException(ProviderErrorReason.Unavailable, $"{what} failed after {exception.InnerExceptions.Count} tries: {last?.Message}", exception),
        };
    }

    private static string FirstLine(string message)
    {
        var end = message.IndexOf('\n', StringComparison.Ordinal);
        return end < 0 ? message : message[..end].TrimEnd();
    }
}
