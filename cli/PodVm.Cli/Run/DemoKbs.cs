using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using PodVm.Cli.Kbs;
using PodVm.Kbs;
using PodVm.LocalKvmProvider.Image;
using PodVm.PodVmConfig;

namespace PodVm.Cli.Run;

/// <summary>
/// The key broker `podvm run --attest` starts on loopback for one pod: TLS with a certificate made for this run,
/// trusting the local development TEE's platform key and the image build's reference value signer, loaded through
/// its admin API with the image's signed reference values, a policy that admits only the local development TEE with
/// the image's measurement and this pod's initdata, and one demo secret. The guest reaches it at 10.0.2.2 (QEMU
/// user networking's address for the host's loopback); the pod's initdata tells the guest where and which
/// certificate to trust. Everything lives in a private temporary directory removed on dispose.
/// </summary>
internal sealed class DemoKbs : IAsyncDisposable
{
    public const string SecretPath = "default/demo/secret";

    /// <summary>The host's loopback as the guest sees it under QEMU user-mode networking.</summary>
    public const string GuestHostAddress = "10.0.2.2";

    private readonly WebApplication _app;
    private readonly string _directory;

    private DemoKbs(WebApplication app, string directory, Uri hostUrl, string initData, byte[] secretSha256)
    {
        _app = app;
        _directory = directory;
        HostUrl = hostUrl;
        InitData = initData;
        SecretSha256 = secretSha256;
    }

    /// <summary>Where the KBS listens on this host.</summary>
    public Uri HostUrl { get; }

    /// <summary>The pod's initdata (gzip + base64 TOML) naming this KBS and its certificate.</summary>
    public string InitData { get; }

    /// <summary>SHA-256 of the demo secret, the proof the container prints.</summary>
    public byte[] SecretSha256 { get; }

    /// <param name="requireTpm">Release the secret only with a verified vTPM quote whose PCR8 binds this pod's initdata.</param>
    public static async Task<DemoKbs> StartAsync(string imageDirectory, string platformPublicKeyFile, string referenceSignerPublicKeyFile, CancellationToken cancellationToken, bool requireTpm = false)
    {
        var bundlePath = Path.Combine(imageDirectory, ReferenceValueExport.BundleFile);
        if (!File.Exists(bundlePath))
        {
            throw new KbsAdminException($"{bundlePath} does not exist: run 'podvm image build' (it signs the image's reference values).");
        }

        var directory = Directory.CreateTempSubdirectory("podvm-demo-kbs-").FullName;
        WebApplication? app = null;
        try
        {
            using var tlsKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            using var certificate = SelfSignedCertificate(tlsKey);
            var certFile = Path.Combine(directory, "kbs.crt");
            var keyFile = Path.Combine(directory, "kbs.key");
            await File.WriteAllTextAsync(certFile, certificate.ExportCertificatePem() + "\n", cancellationToken);
            await File.WriteAllTextAsync(keyFile, tlsKey.ExportPkcs8PrivateKeyPem() + "\n", cancellationToken);

            using var adminKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var adminPublic = Path.Combine(directory, "admin.pub.pem");
            await File.WriteAllTextAsync(adminPublic, adminKey.ExportSubjectPublicKeyInfoPem() + "\n", cancellationToken);

            app = KbsHost.Build(
            [
                "--Kbs:Urls:0=https://127.0.0.1:0",
                $"--Kbs:TlsCertificateFile={certFile}",
                $"--Kbs:TlsPrivateKeyFile={keyFile}",
                $"--Kbs:DatabasePath={Path.Combine(directory, "kbs.db")}",
                $"--Kbs:AdminPublicKeyFiles:0={adminPublic}",
                $"--Kbs:LocalDevPlatformKeyFiles:0={platformPublicKeyFile}",
                $"--Kbs:ReferenceValueSigners:0:KeyId={ReferenceValueExport.SignerKeyId}",
                $"--Kbs:ReferenceValueSigners:0:PublicKeyFile={referenceSignerPublicKeyFile}",
                "--Logging:LogLevel:Default=Warning",
                "--Logging:Console:LogToStandardErrorThreshold=Trace",
            ]);
            await app.StartAsync(cancellationToken);
            var hostUrl = app.Services.GetRequiredService<KbsBoundEndpoints>().HttpUris[0];

            var toml = InitDataToml(new Uri($"https://{GuestHostAddress}:{hostUrl.Port}"), certificate.ExportCertificatePem());
            var initData = InitDataCodec.Parse(Encoding.UTF8.GetBytes(toml));
            var secret = Encoding.ASCII.GetBytes(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)) + "\n");

            using var handler = new HttpClientHandler
            {
                // Only this run's certificate is trusted for the admin connection.
                ServerCertificateCustomValidationCallback = (_, presented, _, _) => presented is not null && presented.RawData.AsSpan().SequenceEqual(certificate.RawData),
            };
            using var admin = new KbsAdminClient(hostUrl, adminKey, handler);
            await admin.ImportReferenceValuesAsync(await File.ReadAllBytesAsync(bundlePath, cancellationToken), cancellationToken);
            await admin.SetAttestationPolicyAsync("default", Encoding.UTF8.GetBytes(AttestationPolicy), cancellationToken);
            var pcr8 = requireTpm ? Convert.ToHexStringLower(InitDataPcr8(initData.Digest())) : null;
            await admin.SetResourcePolicyAsync(Encoding.UTF8.GetBytes(ResourcePolicy(Convert.ToHexStringLower(initData.Digest()), pcr8)), cancellationToken);
            await admin.SetResourceAsync(SecretPath, secret, cancellationToken);

            var result = new DemoKbs(app, directory, hostUrl, InitDataCodec.Encode(initData.RawToml.Span), SHA256.HashData(secret));
            app = null;
            return result;
        }
        finally
        {
            if (app is not null)
            {
                await app.DisposeAsync();
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>Admit only the local development TEE whose measurement is one the image build signed.</summary>
    private const string AttestationPolicy = """
        {
          "version": "0.1.0",
          "id": "default",
          "allowed_tees": ["local-dev"],
          "deny_debug": true,
          "require_reference_values": true,
          "rules": {
            "local-dev": [
              { "claim": ["/measurement"], "reference": "local_dev_measurement", "component": "executables", "affirm": 3 }
            ]
          }
        }
        """;

    /// <summary>
    /// Release the demo secret only to an affirmed local-dev pod that presented exactly this pod's initdata; with a
    /// vTPM also only when the verifier checked the quote and found PCR8 = SHA-256(0^32 ‖ initdata digest[..32]).
    /// </summary>
    private static string ResourcePolicy(string initDataDigestHex, string? pcr8Hex)
    {
        var tpmClaim = pcr8Hex is null ? string.Empty : $",\n        \"{TpmPcr8Claim}\": \"{pcr8Hex}\"";
        return $$"""
            {
              "version": "0.1.0",
              "rules": [
                { "effect": "allow", "paths": ["{{SecretPath}}"], "tees": ["local-dev"], "status": "affirming",
                  "claims": { "/submods/cpu0/ear.veraison.annotated-evidence/init_data": "{{initDataDigestHex}}"{{tpmClaim}} } }
              ]
            }
            """;
    }

    /// <summary>Where the verified vTPM initdata binding appears in the token (docs/attestation/local-dev-tee.md).</summary>
    public const string TpmPcr8Claim = "/submods/cpu0/ear.veraison.annotated-evidence/local-dev/tpm/init_data_pcr8";

    /// <summary>PCR8 after the guest's one extend with the initdata digest's first 32 bytes.</summary>
    public static byte[] InitDataPcr8(ReadOnlySpan<byte> initDataDigest)
    {
        Span<byte> input = stackalloc byte[64];
        input.Clear();
        initDataDigest[..Math.Min(32, initDataDigest.Length)].CopyTo(input[32..]);
        return SHA256.HashData(input);
    }

    /// <summary>Upstream's initdata layout: the attestation agent's and the confidential data hub's KBS settings.</summary>
    private static string InitDataToml(Uri guestUrl, string certificatePem) => $$""""
        version = "0.1.0"
        algorithm = "sha384"

        [data]
        "aa.toml" = '''
        [token_configs]
        [token_configs.kbs]
        url = "{{guestUrl.GetLeftPart(UriPartial.Authority)}}"
        cert = """
        {{certificatePem}}
        """
        '''

        "cdh.toml" = '''
        socket = "unix:///run/confidential-containers/cdh.sock"

        [kbc]
        name = "cc_kbc"
        url = "{{guestUrl.GetLeftPart(UriPartial.Authority)}}"
        kbs_cert = """
        {{certificatePem}}
        """
        '''
        """" + "\n";

    private static X509Certificate2 SelfSignedCertificate(ECDsa key)
    {
        var request = new CertificateRequest("CN=podvm run demo KBS", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Parse(GuestHostAddress));
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1));
    }
}
