namespace PodVm.Kbs;

/// <summary>One trusted reference value signer: the COSE key id it signs with and its public key file (PEM).</summary>
public sealed record ReferenceValueSignerOptions
{
    public string KeyId { get; init; } = "";

    public string PublicKeyFile { get; init; } = "";
}
