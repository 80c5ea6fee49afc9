using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace PodVm.CloudApiAdaptor.Tls;

/// <summary>
/// The CA the adaptor holds for the adaptor-forwarder mTLS link. It issues each pod VM a server certificate named
/// after the instance, and the adaptor one client certificate; each VM is told to accept only client certificates
/// from this CA. The CA key stays on the node (0600 in the state directory) and survives restarts, so a restarted
/// adaptor can re-attach to running VMs.
/// </summary>
public sealed class ForwarderCertificateAuthority : IDisposable
{
    private const string CaSubject = "CN=PodVm adaptor forwarder CA";
    private readonly X509Certificate2 _ca;
    private readonly ECDsa _caKey;
    private readonly TimeProvider _time;

    private ForwarderCertificateAuthority(X509Certificate2 ca, ECDsa caKey, TimeProvider time)
    {
        _ca = ca;
        _caKey = caKey;
        _time = time;
        ClientCertificate = IssueClientCertificate();
    }

    /// <summary>The CA certificate, PEM: what each forwarder trusts for client certificates.</summary>
    public string CaCertificatePem => _ca.ExportCertificatePem();

    public X509Certificate2 CaCertificate => _ca;

    /// <summary>The adaptor's client certificate, with its private key.</summary>
    public X509Certificate2 ClientCertificate { get; }

    /// <summary>Loads the CA from <paramref name="directory"/>, or creates it there.</summary>
    public static ForwarderCertificateAuthority LoadOrCreate(string directory, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        Directory.CreateDirectory(directory);
        var certPath = Path.Combine(directory, "forwarder-ca.crt");
        var keyPath = Path.Combine(directory, "forwarder-ca.key");
        if (File.Exists(certPath) && File.Exists(keyPath))
        {
            var key = ECDsa.Create();
            key.ImportFromPem(File.ReadAllText(keyPath));
            var cert = X509Certificate2.CreateFromPem(File.ReadAllText(certPath));
            if (cert.NotAfter.ToUniversalTime() > time.GetUtcNow().UtcDateTime.AddDays(30))
            {
                return new ForwarderCertificateAuthority(cert, key, time);
            }

            key.Dispose();
            cert.Dispose();
        }

        var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(CaSubject, caKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = time.GetUtcNow();
        var ca = request.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(5));
        AtomicFile.Write(keyPath, System.Text.Encoding.ASCII.GetBytes(caKey.ExportPkcs8PrivateKeyPem()), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        AtomicFile.Write(certPath, System.Text.Encoding.ASCII.GetBytes(ca.ExportCertificatePem()), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        return new ForwarderCertificateAuthority(ca, caKey, time);
    }

    /// <summary>A server certificate for one pod VM, named after its instance, with its private key as PEM.</summary>
    public (string CertificatePem, string PrivateKeyPem) IssueServerCertificate(string instanceName)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={instanceName}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(instanceName);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var cert = Issue(request, TimeSpan.FromDays(365));
        return (cert.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
    }

    /// <summary>True when <paramref name="certificate"/> chains to this CA and names <paramref name="instanceName"/>.</summary>
    public bool ValidateServerCertificate(X509Certificate2 certificate, string instanceName)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(_ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = _time.GetUtcNow().UtcDateTime;
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid("1.3.6.1.5.5.7.3.1"));
        return chain.Build(certificate) && certificate.MatchesHostname(instanceName, allowWildcards: false);
    }

    public void Dispose()
    {
        ClientCertificate.Dispose();
        _ca.Dispose();
        _caKey.Dispose();
    }

    private X509Certificate2 IssueClientCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=cloud-api-adaptor", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        using var cert = Issue(request, TimeSpan.FromDays(30));
        using var withKey = cert.CopyWithPrivateKey(key);

        // Round-trip through PKCS#12 so the key is usable by SslStream on every platform.
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    private X509Certificate2 Issue(CertificateRequest request, TimeSpan lifetime)
    {
        var now = _time.GetUtcNow();
        var notAfter = now + lifetime < _ca.NotAfter ? now + lifetime : new DateTimeOffset(_ca.NotAfter.ToUniversalTime());
        var serial = new byte[16];
        RandomNumberGenerator.Fill(serial);
        serial[0] &= 0x7f;
        return request.Create(_ca.SubjectName, X509SignatureGenerator.CreateForECDsa(_caKey), now.AddMinutes(-5), notAfter, serial);
    }
}
