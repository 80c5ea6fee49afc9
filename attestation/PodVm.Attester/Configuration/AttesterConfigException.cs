namespace PodVm.Attester.Configuration;

/// <summary>A bad command line flag or KBS configuration file; the message names the setting.</summary>
internal sealed class AttesterConfigException : Exception
{
    public AttesterConfigException(string message)
        : base(message)
    {
    }

    public AttesterConfigException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public AttesterConfigException()
    {
    }
}
