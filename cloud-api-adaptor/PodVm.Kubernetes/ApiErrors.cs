using System.Net;
using k8s.Autorest;

namespace PodVm.Kubernetes;

/// <summary>Sorts API server failures by status code.</summary>
internal static class ApiErrors
{
    public static HttpStatusCode? Status(Exception exception) => exception switch
    {
        HttpOperationException http => http.Response?.StatusCode,
        k8s.KubernetesException k8s when k8s.Status?.Code is int code => (HttpStatusCode)code,
        _ => null,
    };

    public static bool Is(Exception exception, HttpStatusCode status) => Status(exception) == status;

    public static bool IsApiFailure(Exception exception) =>
        exception is HttpOperationException or k8s.KubernetesException or HttpRequestException;

    public static KubernetesIntegrationException Wrap(Exception exception, string what)
    {
        var reason = Status(exception) switch
        {
            HttpStatusCode.Forbidden => KubernetesErrorReason.Forbidden,
            HttpStatusCode.Conflict => KubernetesErrorReason.Conflict,
            _ => KubernetesErrorReason.ApiError,
        };
        var status = Status(exception) is { } code ? $" ({(int)code} {code})" : "";
        return new KubernetesIntegrationException(reason, $"{what} failed{status}: {exception.Message}", exception);
    }
}
