using System.Security.Cryptography;
using PodVm.Attestation.Kbs;

namespace PodVm.Attestation.Tests.Kbs;

/// <summary>The managed on-curve check of a TEE key agrees with OpenSSL's key import on valid and corrupted points.</summary>
public sealed class PrimeCurvePointTests
{
    public static TheoryData<string> Curves => new() { "P-256", "P-384", "P-521" };

    private static ECCurve Curve(string name) => name switch
    {
        "P-256" => ECCurve.NamedCurves.nistP256,
        "P-384" => ECCurve.NamedCurves.nistP384,
        _ => ECCurve.NamedCurves.nistP521,
    };

    private static bool OpenSslAccepts(ECCurve curve, byte[] x, byte[] y)
    {
        try
        {
            using var key = ECDiffieHellman.Create(new ECParameters { Curve = curve, Q = new ECPoint { X = x, Y = y } });
            return true;
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    [Theory]
    [MemberData(nameof(Curves))]
    public void IsOnCurve_GeneratedKeys_True(string name)
    {
        var curve = Curve(name);
        for (var i = 0; i < 20; i++)
        {
            using var key = ECDiffieHellman.Create(curve);
            var q = key.ExportParameters(false).Q;

            Assert.True(PrimeCurvePoint.IsOnCurve(curve, q.X, q.Y));
        }
    }

    [Theory]
    [MemberData(nameof(Curves))]
    public void IsOnCurve_CorruptedPoints_AgreesWithOpenSsl(string name)
    {
        var curve = Curve(name);
        using var key = ECDiffieHellman.Create(curve);
        var q = key.ExportParameters(false).Q;
        var size = q.X!.Length;
        var cases = new List<(byte[] X, byte[] Y)>
        {
            (q.X, q.Y!),
            (new byte[size], new byte[size]),
            (Enumerable.Repeat((byte)0xFF, size).ToArray(), q.Y!),
            (q.X, Enumerable.Repeat((byte)0xFF, size).ToArray()),
        };
        for (var bit = 0; bit < size * 8; bit += 7)
        {
            var x = (byte[])q.X.Clone();
            x[bit / 8] ^= (byte)(1 << (bit % 8));
            cases.Add((x, q.Y!));
            var y = (byte[])q.Y!.Clone();
            y[bit / 8] ^= (byte)(1 << (bit % 8));
            cases.Add((q.X, y));
        }

        foreach (var (x, y) in cases)
        {
            Assert.Equal(OpenSslAccepts(curve, x, y), PrimeCurvePoint.IsOnCurve(curve, x, y));
        }
    }

    [Fact]
    public void IsOnCurve_PointPlusPrime_False()
    {
        // (x + p, y) is the same residue but not a canonical coordinate: refused, as OpenSSL refuses it. P-521's
        // p = 2^521 - 1, so x + p still fits the 66-byte coordinate.
        var curve = ECCurve.NamedCurves.nistP521;
        using var key = ECDiffieHellman.Create(curve);
        var q = key.ExportParameters(false).Q;
        var p = new System.Numerics.BigInteger(key.ExportExplicitParameters(false).Curve.Prime, isUnsigned: true, isBigEndian: true);
        var shifted = (new System.Numerics.BigInteger(q.X, isUnsigned: true, isBigEndian: true) + p).ToByteArray(isUnsigned: true, isBigEndian: true);
        Assert.Equal(q.X!.Length, shifted.Length);
        Assert.False(OpenSslAccepts(curve, shifted, q.Y!));
        Assert.False(PrimeCurvePoint.IsOnCurve(curve, shifted, q.Y));
    }
}
