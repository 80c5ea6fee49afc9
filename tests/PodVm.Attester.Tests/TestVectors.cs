namespace PodVm.Attester.Tests;

/// <summary>The shared attestation vectors (../shared/attestation-vectors) and the verification times their README pins.</summary>
internal static class TestVectors
{
    public static readonly DateTimeOffset SnpTime = new(2025, 6, 1, 0, 0, 0, TimeSpan.Zero);

    public static readonly DateTimeOffset TdxTime = new(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);

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
}
