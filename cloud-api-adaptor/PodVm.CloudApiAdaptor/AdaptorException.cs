using Grpc.Core;

namespace PodVm.CloudApiAdaptor;

/// <summary>The adaptor's one exception type. Messages say what failed, for which pod, and what to do.</summary>
public sealed class AdaptorException : Exception
{
    public AdaptorException(AdaptorErrorReason reason, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Reason = reason;
    }

    public AdaptorException()
    {
    }

    public AdaptorException(string message)
        : base(message)
    {
    }

    public AdaptorException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public AdaptorErrorReason Reason { get; } = AdaptorErrorReason.Internal;

    public StatusCode StatusCode => Reason switch
    {
        AdaptorErrorReason.InvalidRequest or AdaptorErrorReason.NoInstanceType => StatusCode.InvalidArgument,
        AdaptorErrorReason.UnknownSandbox => StatusCode.NotFound,
        AdaptorErrorReason.SandboxExists => StatusCode.AlreadyExists,
        AdaptorErrorReason.WrongState => StatusCode.FailedPrecondition,
        AdaptorErrorReason.PodLimitReached => StatusCode.ResourceExhausted,
        AdaptorErrorReason.ProviderFailed => StatusCode.Unavailable,
        AdaptorErrorReason.AgentUnreachable => StatusCode.Unavailable,
        AdaptorErrorReason.Timeout => StatusCode.DeadlineExceeded,
        _ => StatusCode.Internal,
    };

    public RpcException ToRpcException() => new(new Status(StatusCode, Message));
}
