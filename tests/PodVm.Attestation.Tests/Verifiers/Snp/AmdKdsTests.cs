using PodVm.Attestation.Verifiers.Snp;

namespace PodVm.Attestation.Tests.Verifiers.Snp;

public sealed class AmdKdsTests
{
    [Fact]
    public void VcekUrl_MilanReport_UsesFullChipIdAndTwoDigitSpls()
    {
        var chipId = Convert.FromHexString("c38427a30d4c7af9d96f7a15b97269825a64cb76a2352ffd5d18115d89ad473f8e8c0bcd9a5d9286612bad4aadfb4426205a3b9e4fea82301135a170e477524e");

        var url = AmdKds.VcekUrl(SnpProcessorGeneration.Milan, chipId, new SnpTcb(null, 3, 0, 8, 115));

        Assert.Equal(
            "https://kdsintf.amd.com/vcek/v1/Milan/c38427a30d4c7af9d96f7a15b97269825a64cb76a2352ffd5d18115d89ad473f8e8c0bcd9a5d9286612bad4aadfb4426205a3b9e4fea82301135a170e477524e?blSPL=03&teeSPL=00&snpSPL=08&ucodeSPL=115",
            url.AbsoluteUri);
    }

    [Fact]
    public void VcekUrl_Turin_UsesEightByteHwIdAndFmc()
    {
        var chipId = new byte[64];
        Convert.FromHexString("1e550a8ee5cf9f4d").CopyTo(chipId, 0);

        var url = AmdKds.VcekUrl(SnpProcessorGeneration.Turin, chipId, new SnpTcb(0, 0, 0, 0, 9));

        Assert.Equal("https://kdsintf.amd.com/vcek/v1/Turin/1e550a8ee5cf9f4d?fmcSPL=00&blSPL=00&teeSPL=00&snpSPL=00&ucodeSPL=09", url.AbsoluteUri);
    }

    [Fact]
    public void CertificateChainUrl_Vlek_UsesVlekPath()
    {
        Assert.Equal("https://kdsintf.amd.com/vlek/v1/Genoa/cert_chain", AmdKds.CertificateChainUrl(SnpProcessorGeneration.Genoa, vlek: true).AbsoluteUri);
        Assert.Equal("https://kdsintf.amd.com/vcek/v1/Milan/cert_chain", AmdKds.CertificateChainUrl(SnpProcessorGeneration.Milan).AbsoluteUri);
        Assert.Equal("https://kdsintf.amd.com/vcek/v1/Turin/crl", AmdKds.CrlUrl(SnpProcessorGeneration.Turin).AbsoluteUri);
    }
}
