namespace PodVm.LocalKvmProvider.Image;

/// <summary>The one exception the image builder throws; the message says what failed and how to fix it.</summary>
public sealed class ImageBuildException : Exception
{
    public ImageBuildException(ImageBuildErrorReason reason, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Reason = reason;
    }

    public ImageBuildException()
    {
    }

    public ImageBuildException(string message)
        : base(message)
    {
    }

    public ImageBuildException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ImageBuildErrorReason Reason { get; } = ImageBuildErrorReason.Internal;
}
