using System.Text.Json;

namespace PodVm.Attester.Evidence;

/// <summary>Intel TDX: a TD quote from configfs-tsm (tdx_guest) and the CC event log when readable, as Trustee's TdxEvidence.</summary>
internal sealed class TdxEvidenceProvider(TsmReportClient tsm, string ccEventLogPath) : IEvidenceProvider
{
    public const string TsmProviderName = "tdx_guest";

    /// <summary>The CCEL area is a few MiB at most.</summary>
    public const int MaxEventLogBytes = 16 * 1024 * 1024;

    public string Tee => "tdx";

    public Task<byte[]> GetEvidenceAsync(ReadOnlyMemory<byte> reportData, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var report = tsm.GetReport(reportData.Span, null);
        if (!string.Equals(report.Provider, TsmProviderName, StringComparison.Ordinal))
        {
            throw new EvidenceException(EvidenceErrorReason.Unavailable, $"configfs-tsm at {tsm.Root} is provided by '{report.Provider}', not {TsmProviderName}");
        }

        var evidence = new TdxEvidence { Quote = Convert.ToBase64String(report.OutBlob), CcEventLog = ReadEventLog() };
        return Task.FromResult(JsonSerializer.SerializeToUtf8Bytes(evidence, AttesterJsonContext.Default.TdxEvidence));
    }

    private string? ReadEventLog()
    {
        try
        {
            var info = new FileInfo(ccEventLogPath);
            if (!info.Exists || info.Length is 0 or > MaxEventLogBytes)
            {
                return null;
            }

            return Convert.ToBase64String(File.ReadAllBytes(ccEventLogPath));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
