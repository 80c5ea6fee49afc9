namespace PodVm.Attester.Tpm;

/// <summary>Reads an ECC P-256 signing key's TPMT_PUBLIC and encodes its point as a DER SubjectPublicKeyInfo.</summary>
internal static class TpmEccPublicKey
{
    /// <summary>SEQUENCE { SEQUENCE { id-ecPublicKey, prime256v1 }, BIT STRING { 04 ‖ X ‖ Y } } up to the point.</summary>
    private static readonly byte[] P256SpkiPrefix = Convert.FromHexString("3059301306072a8648ce3d020106082a8648ce3d030107034200");

    public static byte[] SubjectPublicKeyInfo(ReadOnlySpan<byte> tpmtPublic)
    {
        var reader = new TpmReader(tpmtPublic, "TPMT_PUBLIC");
        var type = reader.UInt16();
        if (type != TpmConstants.AlgEcc)
        {
            throw new TpmException($"TPMT_PUBLIC: key type 0x{type:x4} is not ECC");
        }

        reader.UInt16(); // nameAlg
        var attributes = reader.UInt32();
        if ((attributes & (TpmConstants.AttrRestricted | TpmConstants.AttrSign)) != (TpmConstants.AttrRestricted | TpmConstants.AttrSign))
        {
            throw new TpmException($"TPMT_PUBLIC: attributes 0x{attributes:x8} are not a restricted signing key");
        }

        reader.Sized(); // authPolicy
        if (reader.UInt16() != TpmConstants.AlgNull)
        {
            throw new TpmException("TPMT_PUBLIC: a signing key has a symmetric algorithm");
        }

        if (reader.UInt16() != TpmConstants.AlgNull)
        {
            reader.UInt16(); // scheme hash
        }

        var curve = reader.UInt16();
        if (curve != TpmConstants.EccNistP256)
        {
            throw new TpmException($"TPMT_PUBLIC: curve 0x{curve:x4} is not NIST P-256");
        }

        if (reader.UInt16() != TpmConstants.AlgNull)
        {
            reader.UInt16(); // kdf hash
        }

        var x = reader.Sized();
        var y = reader.Sized();
        if (x.Length is 0 or > 32 || y.Length is 0 or > 32 || reader.Remaining != 0)
        {
            throw new TpmException("TPMT_PUBLIC: the ECC point is not a P-256 point");
        }

        var spki = new byte[P256SpkiPrefix.Length + 65];
        P256SpkiPrefix.CopyTo(spki, 0);
        spki[P256SpkiPrefix.Length] = 0x04;
        x.CopyTo(spki.AsSpan(P256SpkiPrefix.Length + 1 + 32 - x.Length));
        y.CopyTo(spki.AsSpan(P256SpkiPrefix.Length + 33 + 32 - y.Length));
        return spki;
    }
}
