namespace PodVm.Cli.Kbs;

/// <summary>The KBS refused an admin request or could not be reached; the message says which and why.</summary>
internal sealed class KbsAdminException : Exception
{
    public KbsAdminException(string message)
        : base(message)
    {
    }

    public KbsAdminException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
