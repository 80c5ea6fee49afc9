namespace PodVm.GuestAgent;

/// <summary>Why an agent operation failed; each maps to one gRPC status code.</summary>
internal enum AgentErrorReason
{
    NotFound,
    AlreadyExists,
    InvalidArgument,
    FailedPrecondition,
    PermissionDenied,
    RuntimeFailed,
    EndOfStream,
}
