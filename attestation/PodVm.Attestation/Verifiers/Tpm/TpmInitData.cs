using System.Security.Cryptography;
using PodVm.Attestation.Verification;
using PodVm.Attestation.Verifiers.Common;

namespace PodVm.Attestation.Verifiers.Tpm;

/// <summary>
/// The vTPM initdata binding: PCR8 (SHA-256 bank) = SHA-256(0^32 ‖ the initdata digest truncated or zero-padded to 32
/// bytes), one extend from reset, as peer pods' images do with <c>tpm2_pcrextend 8:sha256=…</c>.
/// </summary>
internal static class TpmInitData
{
    public static byte[] ExpectedPcr8(ReadOnlySpan<byte> initDataDigest)
    {
        Span<byte> input = stackalloc byte[64];
        input.Clear();
        initDataDigest[..Math.Min(32, initDataDigest.Length)].CopyTo(input[32..]);
        return SHA256.HashData(input);
    }

    public static void RequirePcr8(TpmPcrBank sha256, ReadOnlySpan<byte> initDataDigest)
    {
        var expected = ExpectedPcr8(initDataDigest);
        if (!sha256.Values.TryGetValue(8, out var pcr8) || !pcr8.AsSpan().SequenceEqual(expected))
        {
            throw new VerificationException(VerificationFailureReason.InitDataMismatch, $"PCR8 is not SHA-256(0^32 ‖ initdata digest) = {Hex.Of(expected)}");
        }
    }
}
