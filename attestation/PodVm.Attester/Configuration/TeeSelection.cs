namespace PodVm.Attester.Configuration;

/// <summary>Which evidence provider to use (<c>--tee</c>).</summary>
internal enum TeeSelection
{
    /// <summary>Detect: configfs-tsm provider, then /dev/sev-guest, then the local development TEE's side channel.</summary>
    Auto = 0,
    LocalDev,
    Snp,
    Tdx,
}
