namespace PodVm.PodVmConfig;

/// <summary>Size limits for user data. The defaults fit the strictest cloud (AWS: 16 KiB before base64 is the adaptor's concern; Azure: 64 KiB).</summary>
public sealed record UserDataLimits
{
    /// <summary>The whole document.</summary>
    public int MaxDocumentBytes { get; init; } = 64 * 1024;

    /// <summary>One file after decoding (and decompressing).</summary>
    public int MaxFileBytes { get; init; } = 256 * 1024;

    /// <summary>How many files.</summary>
    public int MaxFiles { get; init; } = 16;

    /// <summary>The defaults.</summary>
    public static UserDataLimits Default { get; } = new();
}
