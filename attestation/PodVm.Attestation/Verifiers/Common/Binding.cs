using PodVm.Attestation.Verification;

namespace PodVm.Attestation.Verifiers.Common;

/// <summary>
/// Compares a TEE's binding field with the value expected, regularized to the field's size as Trustee does: zero-padded
/// when shorter, truncated when longer. An empty expectation skips the check.
/// </summary>
internal static class Binding
{
    public static void RequireEqual(ReadOnlySpan<byte> field, ReadOnlySpan<byte> expected, int size, VerificationFailureReason reason, string name)
    {
        if (expected.IsEmpty)
        {
            return;
        }

        Span<byte> regularized = stackalloc byte[size];
        expected[..Math.Min(size, expected.Length)].CopyTo(regularized);
        if (!field.SequenceEqual(regularized))
        {
            throw new VerificationException(reason, $"{name} {Hex.Of(field)} is not the expected {Hex.Of(regularized)}");
        }
    }
}
