namespace PodVm.Attestation.Kbs;

/// <summary>A KBS protocol failure carrying Trustee's error variant; the host turns it into Trustee's error body.</summary>
public sealed class KbsException : Exception
{
    public KbsException()
    {
    }

    public KbsException(string message)
        : base(message)
    {
    }

    public KbsException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public KbsException(KbsErrorKind kind, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Kind = kind;
    }

    public KbsErrorKind Kind { get; }
}
