namespace PodVm.Attester.Evidence;

/// <summary>Evidence could not be produced; <see cref="Reason"/> says why, the message says what to do.</summary>
internal sealed class EvidenceException : Exception
{
    public EvidenceException(EvidenceErrorReason reason, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Reason = reason;
    }

    public EvidenceException()
    {
    }

    public EvidenceException(string message)
        : base(message)
    {
    }

    public EvidenceException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public EvidenceErrorReason Reason { get; }
}
