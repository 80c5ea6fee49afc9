namespace PodVm.Attester.Kbs;

/// <summary>A failed fetch: <see cref="Kind"/> for the status, the message (the KBS's reason where it gave one) for the caller.</summary>
internal sealed class KbsClientException : Exception
{
    public KbsClientException(KbsClientErrorKind kind, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Kind = kind;
    }

    public KbsClientException()
    {
    }

    public KbsClientException(string message)
        : base(message)
    {
    }

    public KbsClientException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public KbsClientErrorKind Kind { get; }
}
