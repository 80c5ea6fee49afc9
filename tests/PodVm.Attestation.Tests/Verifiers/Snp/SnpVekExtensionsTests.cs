using PodVm.Attestation.Verifiers.Common;
using PodVm.Attestation.Verifiers.Snp;

namespace PodVm.Attestation.Tests.Verifiers.Snp;

public sealed class SnpVekExtensionsTests
{
    private static readonly byte[] Sequential = [.. Enumerable.Range(0, 64).Select(i => (byte)i)];

    [Theory]
    [InlineData("trustee-snp/test-vcek-invalid-legacy.der", 169)]
    [InlineData("trustee-snp/test-vcek-invalid-new.der", 30)]
    public void Parse_HwIdInBothEncodings_ReturnsTheSameChipId(string path, int ucode)
    {
        var extensions = SnpVekExtensions.Parse(CertificateDecoder.DecodeDer(Vectors.Bytes(path), "vcek"));

        Assert.Equal(Sequential, extensions.HardwareId);
        Assert.Equal(ucode, extensions.MicrocodeSpl);
    }

    [Fact]
    public void Parse_TurinVcek_HasEightByteHwIdAndFmc()
    {
        var vcek = CertificateDecoder.DecodeDer(Vectors.Bytes("virtee-sev/vcek_turin.der"), "vcek");

        var extensions = SnpVekExtensions.Parse(vcek);

        Assert.Equal(Convert.FromHexString("1e550a8ee5cf9f4d"), extensions.HardwareId);
        Assert.Equal(1, extensions.StructVersion);
        Assert.Equal(0, extensions.FmcSpl);
        Assert.Equal(9, extensions.MicrocodeSpl);
    }

    [Fact]
    public void TurinVcek_ChainsToEmbeddedTurinRoots()
    {
        var vcek = CertificateDecoder.DecodeDer(Vectors.Bytes("virtee-sev/vcek_turin.der"), "vcek");
        var roots = AmdRootCertificates.For(SnpProcessorGeneration.Turin);

        Assert.True(X509SignatureVerifier.IsSignedBy(vcek, roots.Ask));
        Assert.False(X509SignatureVerifier.IsSignedBy(vcek, AmdRootCertificates.For(SnpProcessorGeneration.Milan).Ask));
    }

    [Fact]
    public void EmbeddedRoots_AllGenerations_LoadAndSelfVerify()
    {
        Assert.Equal(3, AmdRootCertificates.All.Count());
        foreach (var roots in AmdRootCertificates.All)
        {
            Assert.True(X509SignatureVerifier.IsSignedBy(roots.Ark, roots.Ark));
            Assert.Equal($"ARK-{roots.Generation}", roots.Ark.GetNameInfo(System.Security.Cryptography.X509Certificates.X509NameType.SimpleName, false));
        }
    }

    [Fact]
    public void Parse_VlekVector_HasCspIdAndNoHwId()
    {
        var extensions = SnpVekExtensions.Parse(CertificateDecoder.DecodeDer(Vectors.Bytes("trustee-snp/test-vlek.der"), "vlek"));

        Assert.Null(extensions.HardwareId);
        Assert.Equal("CN=cc-us-east-2.amazonaws.com", extensions.CspId);
    }

    [Fact]
    public void SnpTcb_RoundTripsBothLayouts()
    {
        var milan = new SnpTcb(null, 3, 0, 8, 115);
        var turin = new SnpTcb(1, 2, 3, 4, 9);

        Assert.Equal(milan, SnpTcb.FromRaw(milan.ToRaw(SnpProcessorGeneration.Milan), SnpProcessorGeneration.Milan));
        Assert.Equal(turin, SnpTcb.FromRaw(turin.ToRaw(SnpProcessorGeneration.Turin), SnpProcessorGeneration.Turin));
        Assert.Equal(0x7308000000000003UL, milan.ToRaw(SnpProcessorGeneration.Genoa));
    }
}
