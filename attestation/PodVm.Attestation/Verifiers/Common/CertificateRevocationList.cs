using System.Formats.Asn1;
using System.Numerics;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using PodVm.Attestation.Verification;

namespace PodVm.Attestation.Verifiers.Common;

/// <summary>An X.509 CRL (DER or PEM): issuer, validity window and the serial numbers it revokes.</summary>
internal sealed class CertificateRevocationList
{
    private readonly HashSet<BigInteger> _revoked;

    private CertificateRevocationList(SignedObject signed, byte[] issuer, DateTimeOffset thisUpdate, DateTimeOffset? nextUpdate, HashSet<BigInteger> revoked)
    {
        Signed = signed;
        Issuer = issuer;
        ThisUpdate = thisUpdate;
        NextUpdate = nextUpdate;
        _revoked = revoked;
    }

    public SignedObject Signed { get; }

    public byte[] Issuer { get; }

    public DateTimeOffset ThisUpdate { get; }

    public DateTimeOffset? NextUpdate { get; }

    public int Count => _revoked.Count;

    public bool IsRevoked(X509Certificate2 certificate) => _revoked.Contains(new BigInteger(certificate.SerialNumberBytes.Span, isUnsigned: false, isBigEndian: true));

    public static CertificateRevocationList Decode(ReadOnlyMemory<byte> data, string what)
    {
        if (CertificateDecoder.LooksLikePem(data.Span))
        {
            var text = Encoding.ASCII.GetString(data.Span);
            var fields = System.Security.Cryptography.PemEncoding.Find(text);
            data = Convert.FromBase64String(text[fields.Base64Data]);
        }

        var signed = SignedObject.Decode(data, what);
        try
        {
            var tbs = new AsnReader(signed.ToBeSigned, AsnEncodingRules.DER).ReadSequence();
            if (tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Integer))
            {
                tbs.ReadInteger();
            }

            tbs.ReadSequence(); // signature algorithm
            var issuer = tbs.ReadEncodedValue().ToArray();
            var thisUpdate = ReadTime(tbs);
            DateTimeOffset? nextUpdate = null;
            if (tbs.HasData && (tbs.PeekTag().HasSameClassAndValue(Asn1Tag.UtcTime) || tbs.PeekTag().HasSameClassAndValue(Asn1Tag.GeneralizedTime)))
            {
                nextUpdate = ReadTime(tbs);
            }

            var revoked = new HashSet<BigInteger>();
            if (tbs.HasData && tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Sequence))
            {
                var entries = tbs.ReadSequence();
                while (entries.HasData)
                {
                    var entry = entries.ReadSequence();
                    revoked.Add(entry.ReadInteger());
                }
            }

            return new CertificateRevocationList(signed, issuer, thisUpdate, nextUpdate, revoked);
        }
        catch (AsnContentException e)
        {
            throw VerificationException.Malformed($"{what} is not a valid CRL: {e.Message}");
        }
    }

    /// <summary>Requires the CRL to be signed by <paramref name="issuer"/> and current at <paramref name="at"/>.</summary>
    public void RequireValid(X509Certificate2 issuer, DateTimeOffset at, string what)
    {
        RequireSignedBy(issuer, what);
        RequireCurrent(at, what);
    }

    /// <summary>Requires the CRL to name <paramref name="issuer"/> as its issuer and to be signed by its key.</summary>
    public void RequireSignedBy(X509Certificate2 issuer, string what)
    {
        if (!Issuer.AsSpan().SequenceEqual(issuer.SubjectName.RawData) || !X509SignatureVerifier.IsSignedBy(Signed, issuer))
        {
            throw new VerificationException(VerificationFailureReason.CertificateChainInvalid, $"the {what} is not signed by '{issuer.Subject}'");
        }
    }

    /// <summary>Requires <paramref name="at"/> to fall within thisUpdate..nextUpdate.</summary>
    public void RequireCurrent(DateTimeOffset at, string what)
    {
        if (at < ThisUpdate || (NextUpdate is { } next && at > next))
        {
            throw new VerificationException(VerificationFailureReason.CertificateExpired, $"the {what} is valid {ThisUpdate:O} to {NextUpdate:O}, not at {at:O}");
        }
    }

    private static DateTimeOffset ReadTime(AsnReader reader) =>
        reader.PeekTag().HasSameClassAndValue(Asn1Tag.UtcTime) ? reader.ReadUtcTime() : reader.ReadGeneralizedTime();
}
