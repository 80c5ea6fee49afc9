namespace PodVm.Attester.Tpm;

/// <summary>A TPM command failed: the TPM answered with a response code, or the response could not be parsed.</summary>
internal sealed class TpmException : Exception
{
    public TpmException(string message)
        : base(message)
    {
    }

    public TpmException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public TpmException(string command, uint responseCode)
        : base($"TPM2_{command} failed with response code 0x{responseCode:x3}")
    {
        ResponseCode = responseCode;
    }

    /// <summary>The TPM's response code, 0 when the failure was not the TPM's answer.</summary>
    public uint ResponseCode { get; }
}
