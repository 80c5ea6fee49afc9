using PodVm.Attester.Configuration;

namespace PodVm.Attester.Evidence;

/// <summary>
/// Picks the evidence provider: <c>--tee</c> when given, else configfs-tsm's provider (sev_guest → snp,
/// tdx_guest → tdx), else /dev/sev-guest → snp, else the local development TEE's side channel → local-dev.
/// </summary>
internal static class TeeDetector
{
    public static TeeSelection? Detect(AttesterOptions options, ITsmFileSystem fileSystem)
    {
        if (options.Tee != TeeSelection.Auto)
        {
            return options.Tee;
        }

        var provider = new TsmReportClient(options.TsmRoot, fileSystem).ProbeProvider();
        if (string.Equals(provider, SnpEvidenceProvider.TsmProviderName, StringComparison.Ordinal))
        {
            return TeeSelection.Snp;
        }

        if (string.Equals(provider, TdxEvidenceProvider.TsmProviderName, StringComparison.Ordinal))
        {
            return TeeSelection.Tdx;
        }

        if (File.Exists(options.SevGuestPath))
        {
            return TeeSelection.Snp;
        }

        if (File.Exists(options.SideChannelPath))
        {
            return TeeSelection.LocalDev;
        }

        return null;
    }

    public static IEvidenceProvider Create(TeeSelection tee, AttesterOptions options, ITsmFileSystem fileSystem, TimeProvider time, Tpm.VtpmAttester? vtpm = null) => tee switch
    {
        TeeSelection.Snp => new SnpEvidenceProvider(new TsmReportClient(options.TsmRoot, fileSystem), new SevGuestDevice(options.SevGuestPath)),
        TeeSelection.Tdx => new TdxEvidenceProvider(new TsmReportClient(options.TsmRoot, fileSystem), options.CcEventLogPath),
        _ => new LocalDevEvidenceProvider(new SideChannelClient(new DeviceSideChannelTransport(options.SideChannelPath, time), time), vtpm),
    };
}
