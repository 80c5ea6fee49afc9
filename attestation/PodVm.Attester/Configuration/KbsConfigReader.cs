namespace PodVm.Attester.Configuration;

/// <summary>
/// Finds the KBS: <c>--kbs-url</c>/<c>--kbs-cert</c> first, then the CDH configuration from initdata
/// (<c>[kbc] name = "cc_kbc"</c>, <c>url</c>, <c>kbs_cert</c>), then the attestation agent's
/// (<c>[token_configs.kbs] url</c>, <c>cert</c>). Null when none configures a KBS.
/// </summary>
internal static class KbsConfigReader
{
    public static KbsEndpointConfig? Resolve(AttesterOptions options)
    {
        if (options.KbsUrl is { } url)
        {
            string? pem = null;
            if (options.KbsCertificateFile is { } certFile)
            {
                try
                {
                    pem = File.ReadAllText(certFile);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    throw new AttesterConfigException($"--kbs-cert '{certFile}' cannot be read: {ex.Message}", ex);
                }

                RequirePem(pem, "--kbs-cert");
            }

            return new KbsEndpointConfig(url, pem, "command line");
        }

        if (ReadFile(options.CdhConfigPath) is { } cdh && FromCdhToml(cdh, options.CdhConfigPath) is { } fromCdh)
        {
            return fromCdh;
        }

        if (ReadFile(options.AaConfigPath) is { } aa && FromAaToml(aa, options.AaConfigPath) is { } fromAa)
        {
            return fromAa;
        }

        return null;
    }

    /// <summary>Upstream CDH format; a kbc other than cc_kbc (offline_fs_kbc, sample) means no KBS.</summary>
    public static KbsEndpointConfig? FromCdhToml(ReadOnlySpan<byte> toml, string source)
    {
        var values = TomlStrings.Parse(toml, source);
        if (values.TryGetValue("kbc.name", out var name) && !string.Equals(name, "cc_kbc", StringComparison.Ordinal))
        {
            return null;
        }

        if (!values.TryGetValue("kbc.url", out var url) || string.IsNullOrWhiteSpace(url))
        {
            return null;
        }

        values.TryGetValue("kbc.kbs_cert", out var cert);
        return Build(url, cert, source, "kbc.url", "kbc.kbs_cert");
    }

    /// <summary>Upstream attestation-agent format: <c>[token_configs.kbs]</c>.</summary>
    public static KbsEndpointConfig? FromAaToml(ReadOnlySpan<byte> toml, string source)
    {
        var values = TomlStrings.Parse(toml, source);
        if (!values.TryGetValue("token_configs.kbs.url", out var url) || string.IsNullOrWhiteSpace(url))
        {
            return null;
        }

        values.TryGetValue("token_configs.kbs.cert", out var cert);
        return Build(url, cert, source, "token_configs.kbs.url", "token_configs.kbs.cert");
    }

    private static KbsEndpointConfig Build(string url, string? cert, string source, string urlKey, string certKey)
    {
        var uri = AttesterCommandLine.ParseKbsUrl(url, $"{source}: {urlKey}");
        var pem = string.IsNullOrWhiteSpace(cert) ? null : cert;
        if (pem is not null)
        {
            RequirePem(pem, $"{source}: {certKey}");
        }

        return new KbsEndpointConfig(uri, pem, source);
    }

    private static void RequirePem(string pem, string setting)
    {
        if (!pem.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal))
        {
            throw new AttesterConfigException($"{setting} is not a PEM certificate");
        }

        try
        {
            var collection = new System.Security.Cryptography.X509Certificates.X509Certificate2Collection();
            collection.ImportFromPem(pem);
            if (collection.Count == 0)
            {
                throw new AttesterConfigException($"{setting} holds no certificate");
            }

            foreach (var c in collection)
            {
                c.Dispose();
            }
        }
        catch (System.Security.Cryptography.CryptographicException ex)
        {
            throw new AttesterConfigException($"{setting} is not a valid PEM certificate: {ex.Message}", ex);
        }
    }

    private static byte[]? ReadFile(string path)
    {
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                return null;
            }

            if (info.Length > TomlStrings.MaxBytes)
            {
                throw new AttesterConfigException($"{path} is {info.Length} bytes; the limit is {TomlStrings.MaxBytes}");
            }

            return File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new AttesterConfigException($"{path} cannot be read: {ex.Message}", ex);
        }
    }
}
