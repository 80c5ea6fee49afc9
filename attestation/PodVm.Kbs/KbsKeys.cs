using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace PodVm.Kbs;

/// <summary>
/// The KBS's keys: session sealing key and token signing key from configuration, else generated once and kept in the
/// database (so replicas sharing it agree); trusted token keys; admin keys. Key material is never logged.
/// </summary>
internal sealed class KbsKeys : IDisposable
{
    public KbsKeys(IOptions<KbsOptions> options, SqliteKbsStore store)
    {
        var o = options.Value;
        SessionKey = o.SessionKey is { } configured
            ? Convert.FromBase64String(configured)
            : store.GetOrCreateSecret("session-key", () => RandomNumberGenerator.GetBytes(32));

        TokenSigningKey = ECDsa.Create();
        if (o.TokenSigningKeyFile is { } file)
        {
            TokenSigningKey.ImportFromPem(File.ReadAllText(file));
        }
        else
        {
            var pkcs8 = store.GetOrCreateSecret("token-signing-key", () =>
            {
                using var fresh = ECDsa.Create(ECCurve.NamedCurves.nistP256);
                return fresh.ExportPkcs8PrivateKey();
            });
            TokenSigningKey.ImportPkcs8PrivateKey(pkcs8, out _);
        }

        var trusted = new List<ECDsa> { TokenSigningKey };
        foreach (var f in o.TrustedTokenKeyFiles)
        {
            var k = ECDsa.Create();
            k.ImportFromPem(File.ReadAllText(f));
            trusted.Add(k);
        }

        TrustedTokenKeys = trusted;
        var admin = new List<ECDsa>();
        foreach (var f in o.AdminPublicKeyFiles)
        {
            var k = ECDsa.Create();
            k.ImportFromPem(File.ReadAllText(f));
            admin.Add(k);
        }

        AdminKeys = admin;
    }

    public byte[] SessionKey { get; }

    public ECDsa TokenSigningKey { get; }

    public IReadOnlyList<ECDsa> TrustedTokenKeys { get; }

    public IReadOnlyList<ECDsa> AdminKeys { get; }

    public void Dispose()
    {
        foreach (var k in TrustedTokenKeys.Concat(AdminKeys))
        {
            k.Dispose();
        }

        CryptographicOperations.ZeroMemory(SessionKey);
    }
}
