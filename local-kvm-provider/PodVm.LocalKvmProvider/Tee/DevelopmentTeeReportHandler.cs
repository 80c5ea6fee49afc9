using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using PodVm.Attestation.Verifiers.LocalDev;
using PodVm.LocalKvmProvider.SideChannel;
using PodVm.LocalKvmProvider.Vms;

namespace PodVm.LocalKvmProvider.Tee;

/// <summary>
/// The local development TEE, host side: answers a guest's <c>tee-report</c> request on its side channel with a
/// launch report signed by the platform key, vouching for the measurement of what this provider booted and the
/// initdata digest it bound at launch (docs/attestation/local-dev-tee.md). It protects nothing from the host: whoever
/// holds the platform key can sign anything; it exists so the real attestation path runs on a developer machine.
/// <para>Request: <c>{"type":"tee-report","id":"…","report_data":"&lt;base64, 64 bytes&gt;","tpm_ak_spki":"&lt;base64 DER&gt;"?}</c>.
/// Reply: <c>{"type":"tee-report","id":"…","report":"&lt;base64 COSE_Sign1&gt;"}</c> or <c>{…,"error":"…"}</c>.</para>
/// </summary>
internal sealed class DevelopmentTeeReportHandler : ISideChannelHandler
{
    public const string Type = "tee-report";
    private const int MaxIdLength = 128;

    private readonly LocalDevTeeReportSigner _signer;
    private readonly Func<string, VmState?> _states;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public DevelopmentTeeReportHandler(ECDsa platformKey, Func<string, VmState?> states, TimeProvider time, ILogger logger)
    {
        _signer = new LocalDevTeeReportSigner(platformKey);
        _states = states;
        _time = time;
        _logger = logger;
    }

    public string MessageType => Type;

    public ValueTask<string?> HandleAsync(string instanceId, JsonElement message, CancellationToken cancellationToken)
    {
        var id = message.TryGetProperty("id", out var idElement) && idElement.ValueKind == JsonValueKind.String ? idElement.GetString()! : string.Empty;
        if (id.Length > MaxIdLength)
        {
            id = id[..MaxIdLength];
        }

        try
        {
            var report = Sign(instanceId, message);
            DevelopmentTeeLog.ReportSigned(_logger, instanceId);
            return ValueTask.FromResult<string?>(Reply(id, "report", Convert.ToBase64String(report)));
        }
        catch (DevelopmentTeeException e)
        {
            DevelopmentTeeLog.ReportRefused(_logger, instanceId, e.Message);
            return ValueTask.FromResult<string?>(Reply(id, "error", e.Message));
        }
    }

    private byte[] Sign(string instanceId, JsonElement message)
    {
        var state = _states(instanceId) ?? throw new DevelopmentTeeException($"VM {instanceId} is not known to this provider");
        if (state.Measurement.Length != LocalDevTeeReport.MeasurementLength * 2)
        {
            throw new DevelopmentTeeException($"VM {instanceId} was launched without the development TEE (no launch measurement recorded)");
        }

        var reportData = Base64Field(message, "report_data") ?? throw new DevelopmentTeeException("report_data is missing");
        if (reportData.Length != LocalDevTeeReport.ReportDataLength)
        {
            throw new DevelopmentTeeException($"report_data must be {LocalDevTeeReport.ReportDataLength} bytes, not {reportData.Length}");
        }

        var ak = Base64Field(message, "tpm_ak_spki");
        return _signer.Sign(new LocalDevTeeReport
        {
            Measurement = Convert.FromHexString(state.Measurement),
            HostData = state.HostData.Length == LocalDevTeeReport.HostDataLength * 2 ? Convert.FromHexString(state.HostData) : new byte[LocalDevTeeReport.HostDataLength],
            ReportData = reportData,
            TpmAkDigest = ak is null ? ReadOnlyMemory<byte>.Empty : LocalDevTeeFormat.AkDigest(ak),
            Timestamp = _time.GetUtcNow(),
        });
    }

    private static byte[]? Base64Field(JsonElement message, string name)
    {
        if (!message.TryGetProperty(name, out var element))
        {
            return null;
        }

        if (element.ValueKind != JsonValueKind.String || !Base64.IsValid(element.GetString()!))
        {
            throw new DevelopmentTeeException($"{name} must be a base64 string");
        }

        return Convert.FromBase64String(element.GetString()!);
    }

    private static string Reply(string id, string field, string value)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("type", Type);
            writer.WriteString("id", id);
            writer.WriteString(field, value);
            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}
