using System.Globalization;

namespace PodVm.Attestation.Verifiers.Snp;

/// <summary>
/// URLs of AMD's Key Distribution Service (kdsintf.amd.com) for a report: the VCEK for a chip and TCB, the CA chain
/// (ASK or ASVK, then ARK) and the CRL of a product.
/// </summary>
public static class AmdKds
{
    public const string DefaultBaseAddress = "https://kdsintf.amd.com";

    /// <summary>
    /// <c>/vcek/v1/{product}/{hwid}?[fmcSPL=..&amp;]blSPL=..&amp;teeSPL=..&amp;snpSPL=..&amp;ucodeSPL=..</c>: Milan and Genoa use
    /// the 64-byte chip id, Turin its first 8 bytes; SPLs are two-digit decimal as Trustee formats them.
    /// </summary>
    public static Uri VcekUrl(SnpProcessorGeneration generation, ReadOnlySpan<byte> chipId, SnpTcb tcb, string baseAddress = DefaultBaseAddress)
    {
        var hwid = generation == SnpProcessorGeneration.Turin ? chipId[..8] : chipId;
        var query = generation == SnpProcessorGeneration.Turin
            ? string.Create(CultureInfo.InvariantCulture, $"fmcSPL={tcb.Fmc ?? 0:D2}&blSPL={tcb.Bootloader:D2}&teeSPL={tcb.Tee:D2}&snpSPL={tcb.Snp:D2}&ucodeSPL={tcb.Microcode:D2}")
            : string.Create(CultureInfo.InvariantCulture, $"blSPL={tcb.Bootloader:D2}&teeSPL={tcb.Tee:D2}&snpSPL={tcb.Snp:D2}&ucodeSPL={tcb.Microcode:D2}");
        return new Uri($"{baseAddress.TrimEnd('/')}/vcek/v1/{generation}/{Convert.ToHexStringLower(hwid)}?{query}");
    }

    /// <summary><c>/vcek/v1/{product}/cert_chain</c> (ASK, ARK) or <c>/vlek/v1/{product}/cert_chain</c> (ASVK, ARK).</summary>
    public static Uri CertificateChainUrl(SnpProcessorGeneration generation, bool vlek = false, string baseAddress = DefaultBaseAddress) =>
        new($"{baseAddress.TrimEnd('/')}/{(vlek ? "vlek" : "vcek")}/v1/{generation}/cert_chain");

    /// <summary><c>/vcek/v1/{product}/crl</c>.</summary>
    public static Uri CrlUrl(SnpProcessorGeneration generation, string baseAddress = DefaultBaseAddress) =>
        new($"{baseAddress.TrimEnd('/')}/vcek/v1/{generation}/crl");
}
