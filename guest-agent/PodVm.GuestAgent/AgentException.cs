using Grpc.Core;

namespace PodVm.GuestAgent;

/// <summary>The guest agent's one exception type: a closed reason and a message that names the container or process.</summary>
internal sealed class AgentException : Exception
{
    public AgentException()
    {
    }

    public AgentException(string message)
        : base(message)
    {
    }

    public AgentException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public AgentException(AgentErrorReason reason, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Reason = reason;
    }

    public AgentErrorReason Reason { get; } = AgentErrorReason.RuntimeFailed;

    /// <summary>The status the host sees.</summary>
    public Status ToStatus() => new(Reason switch
    {
        AgentErrorReason.NotFound => StatusCode.NotFound,
        AgentErrorReason.AlreadyExists => StatusCode.AlreadyExists,
        AgentErrorReason.InvalidArgument => StatusCode.InvalidArgument,
        AgentErrorReason.FailedPrecondition => StatusCode.FailedPrecondition,
        AgentErrorReason.PermissionDenied => StatusCode.PermissionDenied,
        _ => StatusCode.Internal,
    }, Message);
}
