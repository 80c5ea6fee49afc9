namespace PodVm.Attester.Tpm;

/// <summary>The TPM 2.0 constants this client uses (TPM 2.0 Library, Part 2: Structures).</summary>
internal static class TpmConstants
{
    public const ushort TagNoSessions = 0x8001;
    public const ushort TagSessions = 0x8002;

    public const uint CcCreatePrimary = 0x00000131;
    public const uint CcQuote = 0x00000158;
    public const uint CcFlushContext = 0x00000165;
    public const uint CcPcrRead = 0x0000017E;
    public const uint CcPcrExtend = 0x00000182;

    public const uint RhOwner = 0x40000001;
    public const uint RhEndorsement = 0x4000000B;
    public const uint RsPassword = 0x40000009;

    public const ushort AlgEcc = 0x0023;
    public const ushort AlgSha256 = 0x000B;
    public const ushort AlgNull = 0x0010;
    public const ushort AlgEcdsa = 0x0018;
    public const ushort EccNistP256 = 0x0003;

    public const uint AttrFixedTpm = 1u << 1;
    public const uint AttrFixedParent = 1u << 4;
    public const uint AttrSensitiveDataOrigin = 1u << 5;
    public const uint AttrUserWithAuth = 1u << 6;
    public const uint AttrRestricted = 1u << 16;
    public const uint AttrSign = 1u << 18;

    /// <summary>A restricted signing key made inside the TPM that never leaves it: 0x00050072, as tpm2_createak makes.</summary>
    public const uint AkAttributes = AttrFixedTpm | AttrFixedParent | AttrSensitiveDataOrigin | AttrUserWithAuth | AttrRestricted | AttrSign;

    /// <summary>TPM_RC_RETRY, TPM_RC_YIELDED and TPM_RC_TESTING: send the same command again.</summary>
    public static bool IsRetry(uint responseCode) => responseCode is 0x922 or 0x908 or 0x90A;

    public const int Sha256Size = 32;

    /// <summary>Octets of a PCR selection bitmap for the 24 PCRs of a PC Client TPM.</summary>
    public const int PcrSelectSize = 3;
}
