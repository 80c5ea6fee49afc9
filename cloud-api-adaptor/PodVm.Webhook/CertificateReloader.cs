using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;

namespace PodVm.Webhook;

/// <summary>
/// Serves the PEM certificate and key from disk and picks up a rotated pair (a re-created Secret) without a
/// restart: the files' write times are checked at most once per <see cref="CheckInterval"/>.
/// </summary>
internal sealed class CertificateReloader : IDisposable
{
    private static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(10);

    private readonly string _certificatePath;
    private readonly string _keyPath;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private X509Certificate2 _current;
    private (DateTime Cert, DateTime Key) _stamp;
    private DateTimeOffset _lastCheck;

    public CertificateReloader(string certificatePath, string keyPath, TimeProvider timeProvider, ILogger logger)
    {
        _certificatePath = certificatePath;
        _keyPath = keyPath;
        _timeProvider = timeProvider;
        _logger = logger;
        _stamp = Stamp();
        _current = Load();
        _lastCheck = timeProvider.GetUtcNow();
    }

    public X509Certificate2 Current
    {
        get
        {
            lock (_gate)
            {
                var now = _timeProvider.GetUtcNow();
                if (now - _lastCheck >= CheckInterval)
                {
                    _lastCheck = now;
                    var stamp = Stamp();
                    if (stamp != _stamp)
                    {
                        try
                        {
                            var fresh = Load();
                            _current.Dispose();
                            _current = fresh;
                            _stamp = stamp;
                        }
                        catch (Exception ex) when (ex is IOException or System.Security.Cryptography.CryptographicException)
                        {
                            WebhookLog.CertificateReloadFailed(_logger, _certificatePath, ex);
                        }
                    }
                }

                return _current;
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _current.Dispose();
        }
    }

    private (DateTime, DateTime) Stamp() => (File.GetLastWriteTimeUtc(_certificatePath), File.GetLastWriteTimeUtc(_keyPath));

    private X509Certificate2 Load()
    {
        using var pem = X509Certificate2.CreateFromPemFile(_certificatePath, _keyPath);

        // Kestrel on Linux needs the key in an exportable, non-ephemeral form: round-trip through PKCS#12.
        var certificate = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        WebhookLog.CertificateLoaded(_logger, certificate.Subject, certificate.NotAfter, _certificatePath);
        return certificate;
    }
}
