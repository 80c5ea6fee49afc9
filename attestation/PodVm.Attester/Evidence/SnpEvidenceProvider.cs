namespace PodVm.Attester.Evidence;

/// <summary>
/// AMD SEV-SNP: the report from configfs-tsm (with the host-provided certificates from auxblob) when the kernel has
/// it, else SNP_GET_REPORT on /dev/sev-guest; encoded as Trustee's SnpEvidence JSON.
/// </summary>
internal sealed class SnpEvidenceProvider(TsmReportClient tsm, SevGuestDevice device) : IEvidenceProvider
{
    public const string TsmProviderName = "sev_guest";

    public string Tee => "snp";

    /// <summary>The VMPL the report is requested for (0 unless an SVSM runs below the guest).</summary>
    public uint Vmpl { get; init; }

    public Task<byte[]> GetEvidenceAsync(ReadOnlyMemory<byte> reportData, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (tsm.IsAvailable)
        {
            var report = tsm.GetReport(reportData.Span, Vmpl == 0 ? null : (int)Vmpl);
            if (!string.Equals(report.Provider, TsmProviderName, StringComparison.Ordinal))
            {
                throw new EvidenceException(EvidenceErrorReason.Unavailable, $"configfs-tsm at {tsm.Root} is provided by '{report.Provider}', not {TsmProviderName}");
            }

            var certificates = report.AuxBlob is { } aux ? SnpCertTable.Parse(aux) : null;
            return Task.FromResult(SnpEvidenceWriter.Write(report.OutBlob, certificates));
        }

        if (device.IsAvailable)
        {
            return Task.FromResult(SnpEvidenceWriter.Write(device.GetReport(reportData.Span, Vmpl), null));
        }

        throw new EvidenceException(EvidenceErrorReason.Unavailable, $"neither configfs-tsm ({tsm.Root}) nor {device.Path} is present: this is not an SEV-SNP guest");
    }
}
