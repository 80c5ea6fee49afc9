namespace PodVm.Attestation.ReferenceValues;

/// <summary>A reference value bundle or message was refused; <see cref="Error"/> says why.</summary>
public sealed class ReferenceValueException : Exception
{
    public ReferenceValueException()
    {
    }

    public ReferenceValueException(string message)
        : base(message)
    {
    }

    public ReferenceValueException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ReferenceValueException(ReferenceValueError error, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Error = error;
    }

    public ReferenceValueError Error { get; }
}
