using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace PodVm.Attestation.Verifiers.Common;

/// <summary>
/// A public ECDSA key imported once and kept for repeated verifications. Importing a key validates the point (a scalar
/// multiplication, as costly as a verification), so verifiers keep these in their caches. An <see cref="ECDsa"/>
/// instance is not documented as safe for concurrent use, so each verification rents one from a small pool; a
/// concurrent verification beyond the pool imports another instance from the same key.
/// </summary>
internal sealed class EcdsaVerificationKey
{
    private const int MaxPooled = 8;
    private readonly byte[] _subjectPublicKeyInfo;
    private readonly ConcurrentBag<ECDsa> _pool = [];

    private EcdsaVerificationKey(ECDsa first)
    {
        _subjectPublicKeyInfo = first.ExportSubjectPublicKeyInfo();
        _pool.Add(first);
    }

    /// <summary>Takes ownership of <paramref name="key"/>.</summary>
    public static EcdsaVerificationKey Own(ECDsa key) => new(key);

    public bool VerifyData(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature, HashAlgorithmName hash, DSASignatureFormat format)
    {
        var key = Rent();
        try
        {
            return key.VerifyData(data, signature, hash, format);
        }
        finally
        {
            Return(key);
        }
    }

    /// <summary>Runs <paramref name="verify"/> with an imported instance of the key (for APIs that take an ECDsa, e.g. COSE).</summary>
    public bool Verify(Func<ECDsa, bool> verify)
    {
        var key = Rent();
        try
        {
            return verify(key);
        }
        finally
        {
            Return(key);
        }
    }

    private ECDsa Rent()
    {
        if (!_pool.TryTake(out var key))
        {
            key = ECDsa.Create();
            key.ImportSubjectPublicKeyInfo(_subjectPublicKeyInfo, out _);
        }

        return key;
    }

    private void Return(ECDsa key)
    {
        if (_pool.Count < MaxPooled)
        {
            _pool.Add(key);
        }
        else
        {
            key.Dispose();
        }
    }
}
