namespace PodVm.CloudApiAdaptor;

/// <summary>The closed set of reasons an adaptor operation fails; each maps to one ttrpc status code.</summary>
public enum AdaptorErrorReason
{
    Internal = 0,
    /// <summary>An annotation or request field is malformed (InvalidArgument).</summary>
    InvalidRequest,
    /// <summary>No such sandbox (NotFound).</summary>
    UnknownSandbox,
    /// <summary>The sandbox exists already (AlreadyExists).</summary>
    SandboxExists,
    /// <summary>The call is not legal in the sandbox's current state (FailedPrecondition).</summary>
    WrongState,
    /// <summary>The node's pod VM limit is reached (ResourceExhausted).</summary>
    PodLimitReached,
    /// <summary>No allowed instance type fits the request (InvalidArgument).</summary>
    NoInstanceType,
    /// <summary>The provider failed to create or delete the VM (Unavailable or ResourceExhausted).</summary>
    ProviderFailed,
    /// <summary>The VM started but its forwarder never answered (DeadlineExceeded or Unavailable).</summary>
    AgentUnreachable,
    /// <summary>The deadline ran out (DeadlineExceeded).</summary>
    Timeout,
}
