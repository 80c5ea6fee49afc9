using System.Formats.Asn1;
using PodVm.Attestation.Verification;

namespace PodVm.Attestation.Verifiers.Common;

/// <summary>
/// The three parts every signed X.509 object (certificate, CRL) has: the to-be-signed bytes as encoded, the signature
/// algorithm and the signature.
/// </summary>
internal sealed record SignedObject(ReadOnlyMemory<byte> ToBeSigned, SignatureAlgorithm Algorithm, byte[] Signature)
{
    public static SignedObject Decode(ReadOnlyMemory<byte> der, string what)
    {
        try
        {
            var reader = new AsnReader(der, AsnEncodingRules.DER);
            var outer = reader.ReadSequence();
            reader.ThrowIfNotEmpty();
            var tbs = outer.ReadEncodedValue();
            var algorithm = SignatureAlgorithm.Decode(outer.ReadSequence());
            var signature = outer.ReadBitString(out var unused);
            if (unused != 0)
            {
                throw VerificationException.Malformed($"{what} signature is not a whole number of bytes");
            }

            outer.ThrowIfNotEmpty();
            return new SignedObject(tbs, algorithm, signature);
        }
        catch (AsnContentException e)
        {
            throw new VerificationException(VerificationFailureReason.MalformedEvidence, $"{what} is not valid DER: {e.Message}");
        }
    }
}
