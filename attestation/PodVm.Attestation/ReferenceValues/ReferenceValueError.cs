namespace PodVm.Attestation.ReferenceValues;

/// <summary>The closed set of reasons a reference value bundle is refused.</summary>
public enum ReferenceValueError
{
    /// <summary>Truncated, oversized or undecodable bundle.</summary>
    Malformed = 0,
    /// <summary>No configured signer key matches the bundle's key id, or none is configured.</summary>
    UnknownSigner,
    /// <summary>The COSE_Sign1 signature does not verify with the signer's key.</summary>
    SignatureInvalid,
    /// <summary>The bundle is outside its validity period (not-before / not-after / exp).</summary>
    NotValidNow,
    /// <summary>The bundle's content type or profile is not one we read.</summary>
    UnsupportedContent,
}
