namespace PodVm.PodVmConfig;

/// <summary>Why user data was refused.</summary>
public enum UserDataErrorReason
{
    /// <summary>Larger than the configured limit.</summary>
    TooLarge,

    /// <summary>Not a cloud-config document, or YAML outside the accepted subset.</summary>
    Malformed,

    /// <summary>A key the format does not know.</summary>
    UnknownKey,

    /// <summary>A file path outside the whitelist.</summary>
    PathNotAllowed,

    /// <summary>A content encoding that is unknown or does not decode.</summary>
    BadEncoding,

    /// <summary>The same path twice, or too many files.</summary>
    Duplicate,

    /// <summary>A file whose content is invalid for its path (apf.json that is not JSON, initdata that does not decode).</summary>
    InvalidContent,

    /// <summary>No user data could be obtained.</summary>
    Unavailable,
}
