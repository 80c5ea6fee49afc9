using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using PodVm.PodVmConfig;

namespace PodVm.AgentProtocolForwarder.Forwarding;

/// <summary>The forwarder's server certificate and the CA its clients must chain to.</summary>
internal sealed class TlsMaterial(X509Certificate2 serverCertificate, X509Certificate2Collection clientCa) : IDisposable
{
    private const string EcPublicKeyOid = "1.2.840.10045.2.1";
    private const string RsaEncryptionOid = "1.2.840.113549.1.1.1";

    private SslStreamCertificateContext? _serverContext;

    public X509Certificate2 ServerCertificate { get; } = serverCertificate;

    /// <summary>
    /// The server certificate as SslStream presents it, made on the first handshake and kept: making it builds the
    /// certificate's chain, which is the same for every connection (and costs tens of ms under QEMU TCG). Not made at
    /// start-up, which would put that cost before the forwarder listens.
    /// </summary>
    public SslStreamCertificateContext ServerContext =>
        LazyInitializer.EnsureInitialized(ref _serverContext, () => SslStreamCertificateContext.Create(ServerCertificate, null));

    public X509Certificate2Collection ClientCa { get; } = clientCa;

    /// <summary>Flags win; then apf.json's inline PEM; then the files under /run/peerpod/tls.</summary>
    public static TlsMaterial Load(ForwarderOptions options, ForwarderConfig? config)
    {
        var certPem = Read(options.CertFile, config?.TlsServerCert, PodVmPaths.TlsServerCertificate, "server certificate");
        var keyPem = Read(options.CertKey, config?.TlsServerKey, PodVmPaths.TlsServerKey, "server key");
        var caPem = Read(options.CaCertFile, config?.TlsClientCa, PodVmPaths.TlsClientCa, "client CA");
        // Used as it is: on Linux SslStream takes the key straight from an ephemeral (PEM-loaded) certificate. The
        // PKCS#12 export and re-import that Windows needs cost the forwarder ~1 s of its start under QEMU TCG
        // (PBKDF2 and the PKCS#12 MAC, all emulated), for nothing.
        var server = LoadServerCertificate(certPem, keyPem);
        var ca = new X509Certificate2Collection();
        ca.ImportFromPem(caPem);
        if (ca.Count == 0)
        {
            throw new ArgumentException("the client CA has no certificate");
        }

        return new TlsMaterial(server, ca);
    }

    /// <summary>
    /// The server certificate with its private key. The certificate and the key are read apart and joined by
    /// CopyWithPrivateKey, which checks that the key matches the certificate. <c>X509Certificate2.CreateFromPem(cert,
    /// key)</c> does the same join but for an EC key first decides between ECDSA and ECDH from the key-usage extension;
    /// that first-use decoding was ~80 ms of the forwarder's start under QEMU TCG (measured in the guest: 130-143 ms
    /// against 50-60 ms this way, OpenSSL's own initialisation excluded). A TLS server key signs, so EC keys load as
    /// ECDSA. Other key algorithms keep CreateFromPem.
    /// </summary>
    internal static X509Certificate2 LoadServerCertificate(string certPem, string keyPem)
    {
        using var certificate = X509Certificate2.CreateFromPem(certPem);
        switch (certificate.PublicKey.Oid.Value)
        {
            case EcPublicKeyOid:
                using (var ec = ECDsa.Create())
                {
                    ec.ImportFromPem(keyPem);
                    return certificate.CopyWithPrivateKey(ec);
                }

            case RsaEncryptionOid:
                using (var rsa = RSA.Create())
                {
                    rsa.ImportFromPem(keyPem);
                    return certificate.CopyWithPrivateKey(rsa);
                }

            default:
                return X509Certificate2.CreateFromPem(certPem, keyPem);
        }
    }

    /// <summary>True when <paramref name="certificate"/> chains to the configured CA (and only to it).</summary>
    public bool IsTrustedClient(X509Certificate2 certificate, X509Certificate2Collection? intermediates)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(ClientCa);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (intermediates is not null)
        {
            chain.ChainPolicy.ExtraStore.AddRange(intermediates);
        }

        return chain.Build(certificate);
    }

    public void Dispose()
    {
        ServerCertificate.Dispose();
        foreach (var c in ClientCa)
        {
            c.Dispose();
        }
    }

    private static string Read(string? flagFile, string? inline, string defaultFile, string what)
    {
        if (flagFile is not null)
        {
            return File.ReadAllText(flagFile);
        }

        if (!string.IsNullOrWhiteSpace(inline))
        {
            return inline;
        }

        return File.Exists(defaultFile)
            ? File.ReadAllText(defaultFile)
            : throw new ArgumentException($"no {what}: give the flag, put it in apf.json, or write {defaultFile}");
    }
}
