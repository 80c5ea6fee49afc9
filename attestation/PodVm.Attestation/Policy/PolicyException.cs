namespace PodVm.Attestation.Policy;

/// <summary>A policy document could not be read; the message names the field.</summary>
public sealed class PolicyException : Exception
{
    public PolicyException()
    {
    }

    public PolicyException(string message)
        : base(message)
    {
    }

    public PolicyException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
