using System.Text;
using Microsoft.Extensions.Logging;
using PodVm.Attester.Cdh;
using PodVm.Attester.Configuration;
using PodVm.Attester.Evidence;
using PodVm.Attester.Kbs;
using PodVm.PodVmConfig;

namespace PodVm.Attester;

/// <summary>Wires the attester from its options: KBS configuration, evidence provider, KBS client and the CDH endpoint.</summary>
internal sealed class AttesterHost : IAsyncDisposable
{
    private readonly CdhServer _server;
    private readonly KbsClient? _kbs;

    private AttesterHost(CdhServer server, KbsClient? kbs)
    {
        _server = server;
        _kbs = kbs;
    }

    public System.Net.IPEndPoint LocalEndPoint => _server.LocalEndPoint;

    public static AttesterHost Start(AttesterOptions options, ILoggerFactory loggers, TimeProvider time, ITsmFileSystem? tsmFileSystem = null, Tpm.VtpmAttester? vtpm = null)
    {
        var logger = loggers.CreateLogger("podvm-attester");
        tsmFileSystem ??= ConfigFsTsmFileSystem.Instance;

        KbsEndpointConfig? kbsConfig = null;
        string noKbsReason;
        try
        {
            kbsConfig = KbsConfigReader.Resolve(options);
            noKbsReason = $"initdata configured no KBS: no [kbc] url (name = \"cc_kbc\") in {options.CdhConfigPath} and no [token_configs.kbs] url in {options.AaConfigPath}";
        }
        catch (AttesterConfigException ex)
        {
            noKbsReason = "the KBS configuration from initdata is not usable: " + ex.Message;
        }

        var tee = TeeDetector.Detect(options, tsmFileSystem);
        var evidence = tee is { } t ? TeeDetector.Create(t, options, tsmFileSystem, time, vtpm) : null;
        if (evidence is null)
        {
            AttesterLog.NoTee(logger);
        }

        KbsClient? kbs = null;
        if (kbsConfig is not null && evidence is not null)
        {
            kbs = new KbsClient(kbsConfig, evidence, time, logger, ReadInitData(options.InitDataPath, logger));
        }
        else if (kbsConfig is not null)
        {
            noKbsReason = $"the KBS is {kbsConfig.Url}, but this VM has no TEE evidence provider (no configfs-tsm, {options.SevGuestPath} or {options.SideChannelPath})";
        }

        if (kbs is null)
        {
            AttesterLog.NoKbs(logger, noKbsReason);
        }

        var handler = new CdhRequestHandler(kbs, noKbsReason, evidence);
        CdhServer server;
        try
        {
            server = new CdhServer(options.Listen, handler, options.MaxConnections, time, logger);
        }
        catch
        {
            kbs?.Dispose();
            throw;
        }

        server.Start();
        AttesterLog.Started(logger, server.LocalEndPoint.ToString(), evidence?.Tee ?? "none", kbsConfig is null ? "none" : $"{kbsConfig.Url} (from {kbsConfig.Source})");
        return new AttesterHost(server, kbs);
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync().ConfigureAwait(false);
        _kbs?.Dispose();
    }

    /// <summary>The initdata TOML to send as init-data (the document whose digest the TEE bound), or null.</summary>
    internal static string? ReadInitData(string path, ILogger logger)
    {
        try
        {
            if (!File.Exists(path))
            {
                return null;
            }

            var encoded = File.ReadAllText(path);
            if (string.IsNullOrWhiteSpace(encoded))
            {
                return null;
            }

            var initData = InitDataCodec.Decode(encoded);
            return new UTF8Encoding(false, true).GetString(initData.RawToml.Span);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InitDataException or DecoderFallbackException)
        {
            AttesterLog.InitDataUnusable(logger, path, ex.Message);
            return null;
        }
    }
}
