using System.Collections.Concurrent;
using System.Numerics;
using System.Security.Cryptography;

namespace PodVm.Attestation.Kbs;

/// <summary>
/// Whether an affine point is a public key on a NIST prime curve (P-256, P-384, P-521): 0 ≤ x, y &lt; p and
/// y² ≡ x³ + ax + b (mod p), with p, a and b exported from the platform's own definition of the named curve. These
/// curves have cofactor 1, so every such point (the point at infinity has no affine form) has the prime order n: the
/// check accepts exactly the points OpenSSL's key import accepts, without the import's scalar multiplication (n·Q).
/// </summary>
internal static class PrimeCurvePoint
{
    private static readonly ConcurrentDictionary<string, (BigInteger P, BigInteger A, BigInteger B)> Constants = new(StringComparer.Ordinal);

    /// <param name="curve">The named curve (its OID keys the cached constants).</param>
    /// <param name="x">X, big-endian.</param>
    /// <param name="y">Y, big-endian.</param>
    public static bool IsOnCurve(ECCurve curve, ReadOnlySpan<byte> x, ReadOnlySpan<byte> y)
    {
        var (p, a, b) = Constants.GetOrAdd(curve.Oid.Value ?? curve.Oid.FriendlyName ?? "", static (_, c) => Export(c), curve);
        var bx = new BigInteger(x, isUnsigned: true, isBigEndian: true);
        var by = new BigInteger(y, isUnsigned: true, isBigEndian: true);
        if (bx >= p || by >= p)
        {
            return false;
        }

        var left = by * by % p;
        var right = ((((bx * bx % p) + a) * bx) + b) % p;
        return left == right;
    }

    private static (BigInteger P, BigInteger A, BigInteger B) Export(ECCurve curve)
    {
        using var key = ECDiffieHellman.Create(curve);
        var explicitCurve = key.ExportExplicitParameters(includePrivateParameters: false).Curve;
        if (!explicitCurve.IsPrime || explicitCurve.Prime is null || explicitCurve.A is null || explicitCurve.B is null)
        {
            throw new CryptographicException("the platform did not export the curve as a prime curve");
        }

        static BigInteger Unsigned(byte[] bytes) => new(bytes, isUnsigned: true, isBigEndian: true);
        return (Unsigned(explicitCurve.Prime), Unsigned(explicitCurve.A), Unsigned(explicitCurve.B));
    }
}
