using System.Buffers.Text;

namespace PodVm.Attestation.Kbs;

/// <summary>base64url without padding (JOSE) helpers that turn bad input into a <see cref="KbsException"/>.</summary>
public static class Base64UrlText
{
    public static string Encode(ReadOnlySpan<byte> data) => Base64Url.EncodeToString(data);

    public static byte[] Decode(string? text, KbsErrorKind kind, string what)
    {
        if (text is null)
        {
            throw new KbsException(kind, $"{what} is missing");
        }

        return Decode(text.AsSpan(), kind, what);
    }

    /// <summary>As <see cref="Decode(string?, KbsErrorKind, string)"/> for a part of a larger text (e.g. a JWS segment).</summary>
    public static byte[] Decode(ReadOnlySpan<char> text, KbsErrorKind kind, string what)
    {
        try
        {
            return Base64Url.DecodeFromChars(text);
        }
        catch (FormatException ex)
        {
            throw new KbsException(kind, $"{what} is not base64url", ex);
        }
    }
}
