namespace PodVm.Attestation.Tests.Verifiers;

/// <summary>The shared attestation vectors and the verification times their README pins.</summary>
internal static class Vectors
{
    /// <summary>Inside every SNP chain's validity.</summary>
    public static readonly DateTimeOffset SnpTime = new(2025, 6, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Inside every TDX/SGX PCK chain's validity.</summary>
    public static readonly DateTimeOffset TdxTime = new(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Inside intel-collateral's TCB-signing certificate and PCK CRL validity.</summary>
    public static readonly DateTimeOffset IntelCollateralTime = new(2023, 6, 20, 0, 0, 0, TimeSpan.Zero);

    public static string Path(string relative)
    {
        var path = System.IO.Path.Combine(RepoPaths.AttestationVectors, relative);
        if (!File.Exists(path))
        {
            Assert.Skip($"attestation vector {relative} is not laid out beside the checkout ({RepoPaths.AttestationVectors})");
        }

        return path;
    }

    public static byte[] Bytes(string relative) => File.ReadAllBytes(Path(relative));

    public static string Text(string relative) => File.ReadAllText(Path(relative));

    public static byte[] Hex(string hex) => Convert.FromHexString(hex);

    public static byte[] FlipBit(byte[] data, int offset, int bit = 0)
    {
        var copy = (byte[])data.Clone();
        copy[offset] ^= (byte)(1 << bit);
        return copy;
    }
}
