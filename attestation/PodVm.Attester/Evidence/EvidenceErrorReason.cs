namespace PodVm.Attester.Evidence;

/// <summary>Why evidence could not be produced.</summary>
internal enum EvidenceErrorReason
{
    /// <summary>No TEE interface (device, configfs entry, side channel) is present or usable.</summary>
    Unavailable = 0,
    /// <summary>The interface stayed busy (EBUSY) through every retry.</summary>
    Busy,
    /// <summary>No answer within the deadline.</summary>
    Timeout,
    /// <summary>The TEE (or the local host) answered with an error.</summary>
    Refused,
    /// <summary>The answer could not be understood.</summary>
    Malformed,
    /// <summary>Reading or writing the interface failed.</summary>
    IoError,
}
