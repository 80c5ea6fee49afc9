namespace PodVm.Webhook;

/// <summary>A review the webhook cannot process; its message goes back to the user in the admission response.</summary>
public sealed class AdmissionException : Exception
{
    public AdmissionException()
    {
    }

    public AdmissionException(string message)
        : base(message)
    {
    }

    public AdmissionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
