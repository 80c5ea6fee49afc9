using Microsoft.Extensions.Options;

namespace PodVm.Kbs;

/// <summary>Start-up validation: a bad setting stops the process with a message naming it.</summary>
internal sealed class KbsOptionsValidator : IValidateOptions<KbsOptions>
{
    public ValidateOptionsResult Validate(string? name, KbsOptions options)
    {
        var failures = new List<string>();
        foreach (var url in options.GrpcUrls)
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttp)
            {
                failures.Add($"Kbs:GrpcUrls entry '{url}' must be an http:// URL with a host and port");
            }
        }

        foreach (var url in options.Urls)
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                failures.Add($"Kbs:Urls entry '{url}' must be an http:// or https:// URL with a host and port");
            }
            else if (uri.Scheme == Uri.UriSchemeHttps && (!File.Exists(options.TlsCertificateFile) || !File.Exists(options.TlsPrivateKeyFile)))
            {
                failures.Add($"Kbs:Urls entry '{url}' is https: Kbs:TlsCertificateFile and Kbs:TlsPrivateKeyFile must name existing PEM files");
            }
        }

        if (options.SessionTimeout <= TimeSpan.Zero || options.SessionTimeout > TimeSpan.FromHours(1))
        {
            failures.Add("Kbs:SessionTimeout must be between 0 and 1 hour");
        }

        if (options.TokenLifetime <= TimeSpan.Zero || options.TokenLifetime > TimeSpan.FromDays(1))
        {
            failures.Add("Kbs:TokenLifetime must be between 0 and 1 day");
        }

        if (string.IsNullOrWhiteSpace(options.DatabasePath))
        {
            failures.Add("Kbs:DatabasePath must be set");
        }

        if (options.SessionKey is { } key && (!TryBase64(key, out var bytes) || bytes.Length != 32))
        {
            failures.Add("Kbs:SessionKey must be base64 of exactly 32 bytes");
        }

        CheckFile(options.TokenSigningKeyFile, "Kbs:TokenSigningKeyFile", failures);
        foreach (var f in options.TrustedTokenKeyFiles)
        {
            CheckFile(f, "Kbs:TrustedTokenKeyFiles", failures);
        }

        foreach (var f in options.AdminPublicKeyFiles)
        {
            CheckFile(f, "Kbs:AdminPublicKeyFiles", failures);
        }

        foreach (var f in options.LocalDevPlatformKeyFiles)
        {
            CheckFile(f, "Kbs:LocalDevPlatformKeyFiles", failures);
        }

        foreach (var s in options.ReferenceValueSigners)
        {
            if (string.IsNullOrEmpty(s.KeyId))
            {
                failures.Add("Kbs:ReferenceValueSigners entries need a KeyId");
            }

            CheckFile(s.PublicKeyFile, $"Kbs:ReferenceValueSigners[{s.KeyId}]:PublicKeyFile", failures);
        }

        if (options.RateLimitPerSecond <= 0 || options.RateLimitBurst <= 0)
        {
            failures.Add("Kbs:RateLimitPerSecond and Kbs:RateLimitBurst must be positive");
        }

        if (options.GrpcUrls.Count > 0 && string.IsNullOrEmpty(options.GrpcToken))
        {
            failures.Add("Kbs:GrpcToken must be set when Kbs:GrpcUrls serves the gRPC APIs");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void CheckFile(string? path, string setting, List<string> failures)
    {
        if (path is not null && !File.Exists(path))
        {
            failures.Add($"{setting}: file '{path}' does not exist");
        }
    }

    private static bool TryBase64(string s, out byte[] bytes)
    {
        bytes = new byte[s.Length];
        if (Convert.TryFromBase64String(s, bytes, out var written))
        {
            bytes = bytes[..written];
            return true;
        }

        return false;
    }
}
