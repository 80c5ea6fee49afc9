namespace PodVm.GuestAgent.Policy;

/// <summary>A policy document that cannot be used.</summary>
internal sealed class PolicyException : Exception
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
