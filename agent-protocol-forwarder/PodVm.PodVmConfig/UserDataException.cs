namespace PodVm.PodVmConfig;

/// <summary>User data that cannot be used; the message says what is wrong and where.</summary>
public sealed class UserDataException : Exception
{
    public UserDataException()
    {
    }

    public UserDataException(string message)
        : base(message)
    {
    }

    public UserDataException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public UserDataException(UserDataErrorReason reason, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Reason = reason;
    }

    /// <summary>The closed reason.</summary>
    public UserDataErrorReason Reason { get; } = UserDataErrorReason.Malformed;
}
