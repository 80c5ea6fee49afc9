using System.Buffers.Text;
using System.Security.Cryptography;

namespace PodVm.Attester.Kbs;

/// <summary>
/// The ephemeral key of one attestation (ECDH P-256, "ECDH-ES+A256KW"): its public half goes into the runtime data
/// the evidence binds; the KBS encrypts resources to it. The private half never leaves this process.
/// </summary>
internal sealed class TeeKeyPair : IDisposable
{
    public const string Algorithm = "ECDH-ES+A256KW";

    private TeeKeyPair(ECDiffieHellman key)
    {
        Key = key;
        var q = key.ExportParameters(false).Q;
        Jwk = new TeeJwk { Kty = "EC", Crv = "P-256", Alg = Algorithm, X = Base64Url.EncodeToString(q.X), Y = Base64Url.EncodeToString(q.Y) };
    }

    public ECDiffieHellman Key { get; }

    public TeeJwk Jwk { get; }

    public static TeeKeyPair Create() => new(ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256));

    public void Dispose() => Key.Dispose();
}
