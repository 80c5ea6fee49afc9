using PodVm.Attester.Tpm;

namespace PodVm.Attester.Tests.Tpm;

public sealed class TpmClientTests
{
    [Fact]
    public void CreatePrimaryAkCommand_Endorsement_ExactBytes()
    {
        var command = TpmClient.CreatePrimaryAkCommand(TpmConstants.RhEndorsement);

        var expected = Convert.FromHexString(
            "8002" + "00000041" + "00000131" // TPM_ST_SESSIONS, size 65, TPM_CC_CreatePrimary
            + "4000000b" // TPM_RH_ENDORSEMENT
            + "00000009" + "40000009" + "0000" + "00" + "0000" // password session, empty password
            + "0004" + "0000" + "0000" // inSensitive: empty userAuth and data
            + "0018" // inPublic size 24
            + "0023" + "000b" + "00050072" + "0000" // ECC, SHA-256, restricted signing, no policy
            + "0010" + "0018000b" + "0003" + "0010" // no symmetric, ECDSA-SHA256, NIST P-256, no KDF
            + "0000" + "0000" // unique: empty point
            + "0000" + "00000000"); // outsideInfo, creationPCR
        Assert.Equal(Convert.ToHexStringLower(expected), Convert.ToHexStringLower(command));
    }

    [Fact]
    public void PcrExtendCommand_Pcr8_ExactBytes()
    {
        var digest = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();

        var command = TpmClient.PcrExtendCommand(8, digest);

        Assert.Equal(
            "8002" + "00000041" + "00000182" + "00000008"
            + "00000009" + "40000009" + "0000" + "00" + "0000"
            + "00000001" + "000b" + Convert.ToHexStringLower(digest),
            Convert.ToHexStringLower(command));
    }

    [Fact]
    public void PcrExtendCommand_WrongDigestLength_Throws()
    {
        Assert.Throws<ArgumentException>(() => TpmClient.PcrExtendCommand(8, new byte[48]));
        Assert.Throws<ArgumentOutOfRangeException>(() => TpmClient.PcrExtendCommand(24, new byte[32]));
    }

    [Fact]
    public void PcrReadCommand_Pcrs0To9_SelectionBitmap()
    {
        var command = TpmClient.PcrReadCommand([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);

        Assert.Equal("8001" + "00000014" + "0000017e" + "00000001" + "000b" + "03" + "ff0300", Convert.ToHexStringLower(command));
    }

    [Fact]
    public void QuoteCommand_ExactBytes()
    {
        var command = TpmClient.QuoteCommand(0x80000000, [0xAA, 0xBB], [8, 23]);

        Assert.Equal(
            "8002" + "0000002b" + "00000158" + "80000000"
            + "00000009" + "40000009" + "0000" + "00" + "0000"
            + "0002aabb" + "0010" + "00000001" + "000b" + "03" + "000180",
            Convert.ToHexStringLower(command));
    }

    [Fact]
    public void ParsePcrRead_TwoDigests_ByIndex()
    {
        var response = Convert.FromHexString(
            "8001" + "00000060" + "00000000" + "00000007" // header, pcrUpdateCounter
            + "00000001" + "000b" + "03" + "000101" // selection: PCR 8 and 16
            + "00000002" + "0020" + new string('1', 64) + "0020" + new string('2', 64));

        var values = TpmClient.ParsePcrRead(response);

        Assert.Equal(new string('1', 64), Convert.ToHexStringLower(values[8]));
        Assert.Equal(new string('2', 64), Convert.ToHexStringLower(values[16]));
    }

    [Fact]
    public void ParsePcrRead_Truncated_Throws()
    {
        var response = Convert.FromHexString("8001" + "0000001c" + "00000000" + "00000007" + "00000001" + "000b" + "03" + "000101" + "00000002");

        var ex = Assert.Throws<TpmException>(() => TpmClient.ParsePcrRead(response));
        Assert.Contains("truncated", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParsePcrRead_SizeFieldDisagrees_Throws()
    {
        var response = Convert.FromHexString("8001" + "000000ff" + "00000000");

        Assert.Throws<TpmException>(() => TpmClient.ParsePcrRead(response));
    }

    [Fact]
    public void ParseQuote_ErrorResponseCode_ThrowsWithCode()
    {
        var response = Convert.FromHexString("8001" + "0000000a" + "0000018b"); // TPM_RC_HANDLE | TPM_RC_1 style

        var ex = Assert.Throws<TpmException>(() => TpmClient.ParseQuote(response));
        Assert.Equal(0x18bu, ex.ResponseCode);
    }

    [Fact]
    public void ParseQuote_SplitsAttestAndSignature()
    {
        var response = Convert.FromHexString(
            "8002" + "0000001e" + "00000000"
            + "0000000b" + "0003" + "ff5443" + "0018000b" + "0000" // parameterSize 11: TPM2B_ATTEST, TPMT_SIGNATURE
            + "0000" + "01" + "0000"); // auth response

        var quote = TpmClient.ParseQuote(response);

        Assert.Equal("ff5443", Convert.ToHexStringLower(quote.Attest));
        Assert.Equal("0018000b0000", Convert.ToHexStringLower(quote.Signature));
    }

    [Fact]
    public void SubjectPublicKeyInfo_EccPoint_ImportsAsP256()
    {
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var p = key.ExportParameters(false);
        var tpmtPublic = Convert.FromHexString(
            "0023000b00050072" + "0000" + "0010" + "0018000b" + "0003" + "0010"
            + "0020" + Convert.ToHexStringLower(p.Q.X!) + "0020" + Convert.ToHexStringLower(p.Q.Y!));

        var spki = TpmEccPublicKey.SubjectPublicKeyInfo(tpmtPublic);

        Assert.Equal(Convert.ToHexStringLower(key.ExportSubjectPublicKeyInfo()), Convert.ToHexStringLower(spki));
    }

    [Fact]
    public void SubjectPublicKeyInfo_RsaKey_Throws()
    {
        Assert.Throws<TpmException>(() => TpmEccPublicKey.SubjectPublicKeyInfo(Convert.FromHexString("0001000b00050072")));
    }

    [Fact]
    public void ExpectedPcr8_Sha384Digest_UsesFirst32Bytes()
    {
        var digest = Enumerable.Range(0, 48).Select(i => (byte)i).ToArray();
        var input = new byte[64];
        digest.AsSpan(0, 32).CopyTo(input.AsSpan(32));

        Assert.Equal(System.Security.Cryptography.SHA256.HashData(input), VtpmAttester.ExpectedPcr8(digest));
    }
}
