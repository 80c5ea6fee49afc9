using System.Formats.Cbor;
using System.Security.Cryptography;
using System.Security.Cryptography.Cose;
using System.Text;

namespace PodVm.Attestation.ReferenceValues;

/// <summary>
/// Verifies a COSE_Sign1 (tag 18, optionally inside CoRIM's 500/502 wrappers) against configured signer keys and
/// its validity period (CoRIM meta label 8, or CWT claims label 15), before any of the payload is looked at.
/// </summary>
public static class SignedBundleVerifier
{
    /// <summary>Bundles larger than this are refused before decoding.</summary>
    public const int MaxBundleBytes = 4 * 1024 * 1024;

    private static readonly CoseHeaderLabel CorimMetaLabel = new(8);
    private static readonly CoseHeaderLabel CwtClaimsLabel = new(15);

    public static VerifiedBundle Verify(ReadOnlyMemory<byte> bundle, IReadOnlyList<ReferenceValueSigner> signers, DateTimeOffset now)
    {
        if (bundle.Length == 0 || bundle.Length > MaxBundleBytes)
        {
            throw new ReferenceValueException(ReferenceValueError.Malformed, $"bundle size {bundle.Length} outside 1..{MaxBundleBytes} bytes");
        }

        var sign1Bytes = StripOuterTags(bundle);
        CoseSign1Message message;
        try
        {
            message = CoseMessage.DecodeSign1(sign1Bytes.Span);
        }
        catch (CryptographicException ex)
        {
            throw new ReferenceValueException(ReferenceValueError.Malformed, $"not a COSE_Sign1 message: {ex.Message}", ex);
        }

        if (message.Content is null)
        {
            throw new ReferenceValueException(ReferenceValueError.Malformed, "detached payloads are not supported");
        }

        var kid = message.ProtectedHeaders.TryGetValue(CoseHeaderLabel.KeyIdentifier, out var kidValue)
            ? Encoding.UTF8.GetString(kidValue.GetValueAsBytes())
            : null;

        var candidates = signers.Where(s => kid is null || string.Equals(s.KeyId, kid, StringComparison.Ordinal)).ToList();
        if (candidates.Count == 0)
        {
            throw new ReferenceValueException(ReferenceValueError.UnknownSigner, $"no configured signer for key id '{kid ?? "(none)"}'");
        }

        ReferenceValueSigner? verifiedBy = null;
        foreach (var signer in candidates)
        {
            if (TryVerify(message, signer.PublicKey))
            {
                verifiedBy = signer;
                break;
            }
        }

        if (verifiedBy is null)
        {
            throw new ReferenceValueException(ReferenceValueError.SignatureInvalid, $"COSE_Sign1 signature does not verify with the key(s) for '{kid ?? "(none)"}'");
        }

        var (notBefore, notAfter) = ReadValidity(message);
        if (notBefore is { } nb && now < nb)
        {
            throw new ReferenceValueException(ReferenceValueError.NotValidNow, $"bundle not valid before {nb:O}");
        }

        if (notAfter is { } na && now >= na)
        {
            throw new ReferenceValueException(ReferenceValueError.NotValidNow, $"bundle expired at {na:O}");
        }

        var contentType = message.ProtectedHeaders.TryGetValue(CoseHeaderLabel.ContentType, out var ct)
            ? ReadContentType(ct)
            : "";

        return new VerifiedBundle
        {
            ContentType = contentType,
            Payload = message.Content.Value,
            SignerKeyId = verifiedBy.KeyId,
            NotBefore = notBefore,
            NotAfter = notAfter,
        };
    }

    private static bool TryVerify(CoseSign1Message message, AsymmetricAlgorithm key)
    {
        try
        {
            return message.VerifyEmbedded(key);
        }
        catch (CryptographicException)
        {
            return false;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static string ReadContentType(CoseHeaderValue value)
    {
        try
        {
            return value.GetValueAsString();
        }
        catch (InvalidOperationException)
        {
            return "";
        }
    }

    private static ReadOnlyMemory<byte> StripOuterTags(ReadOnlyMemory<byte> bundle)
    {
        try
        {
            var reader = new CborReader(bundle, CborConformanceMode.Lax);
            while (reader.PeekState() == CborReaderState.Tag)
            {
                var tag = (ulong)reader.PeekTag();
                if (tag is 500 or 502)
                {
                    reader.ReadTag();
                    continue;
                }

                break;
            }

            var offset = bundle.Length - reader.BytesRemaining;
            return bundle[offset..];
        }
        catch (CborContentException ex)
        {
            throw new ReferenceValueException(ReferenceValueError.Malformed, $"invalid CBOR: {ex.Message}", ex);
        }
        catch (InvalidOperationException ex)
        {
            throw new ReferenceValueException(ReferenceValueError.Malformed, $"invalid CBOR: {ex.Message}", ex);
        }
    }

    private static (DateTimeOffset? NotBefore, DateTimeOffset? NotAfter) ReadValidity(CoseSign1Message message)
    {
        DateTimeOffset? notBefore = null;
        DateTimeOffset? notAfter = null;

        // CoRIM meta (label 8): bstr .cbor {0: signer, ? 1: validity {? 0: not-before, 1: not-after}}.
        if (message.ProtectedHeaders.TryGetValue(CorimMetaLabel, out var meta))
        {
            var metaItem = CborTree.Read(meta.EncodedValue);
            if (metaItem is byte[] metaBytes)
            {
                metaItem = CborTree.Read(metaBytes);
            }

            if (metaItem is CborMap metaMap && metaMap.Get(1) is CborMap validity)
            {
                notBefore = ReadTime(validity.Get(0));
                notAfter = ReadTime(validity.Get(1));
            }
        }

        // CWT claims (label 15): {4: exp, 5: nbf}.
        if (message.ProtectedHeaders.TryGetValue(CwtClaimsLabel, out var cwt) && CborTree.Read(cwt.EncodedValue) is CborMap claims)
        {
            notAfter = ReadTime(claims.Get(4)) ?? notAfter;
            notBefore = ReadTime(claims.Get(5)) ?? notBefore;
        }

        return (notBefore, notAfter);
    }

    private static DateTimeOffset? ReadTime(object? item)
    {
        item = CborTree.Untag(item, 1);
        return item switch
        {
            long seconds => DateTimeOffset.FromUnixTimeSeconds(seconds),
            double d => DateTimeOffset.FromUnixTimeMilliseconds((long)(d * 1000)),
            string s when DateTimeOffset.TryParse(s, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var t) => t,
            _ => null,
        };
    }
}
