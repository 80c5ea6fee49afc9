using PodVm.Attestation.Verification;

namespace PodVm.Attestation.Verifiers.Common;

/// <summary>Lower-case hex for claims, and a strict hex parser for evidence text.</summary>
internal static class Hex
{
    public static string Of(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);

    /// <summary>Parses hex text, ignoring ASCII whitespace; anything else that is not hex is malformed evidence.</summary>
    public static byte[] Parse(ReadOnlySpan<char> text, string what)
    {
        Span<char> compact = text.Length <= 8192 ? stackalloc char[text.Length] : new char[text.Length];
        var n = 0;
        foreach (var c in text)
        {
            if (!char.IsAsciiHexDigit(c))
            {
                if (c is ' ' or '\n' or '\r' or '\t')
                {
                    continue;
                }

                throw new VerificationException(VerificationFailureReason.MalformedEvidence, $"{what} is not hex");
            }

            compact[n++] = c;
        }

        if (n % 2 != 0)
        {
            throw new VerificationException(VerificationFailureReason.MalformedEvidence, $"{what} has an odd number of hex digits");
        }

        return Convert.FromHexString(compact[..n]);
    }

    public static bool TryParse(ReadOnlySpan<char> text, out byte[] bytes)
    {
        try
        {
            bytes = Parse(text, "value");
            return true;
        }
        catch (VerificationException)
        {
            bytes = [];
            return false;
        }
    }
}
