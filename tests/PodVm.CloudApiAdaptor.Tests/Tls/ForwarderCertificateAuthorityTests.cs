using System.Security.Cryptography.X509Certificates;
using PodVm.CloudApiAdaptor.Tls;

namespace PodVm.CloudApiAdaptor.Tests.Tls;

public sealed class ForwarderCertificateAuthorityTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("caa-ca-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void IssueServerCertificate_ValidatesForItsInstanceOnly()
    {
        using var ca = ForwarderCertificateAuthority.LoadOrCreate(_root, TimeProvider.System);

        var (certificatePem, _) = ca.IssueServerCertificate("podvm-web-12345678");
        using var certificate = X509Certificate2.CreateFromPem(certificatePem);

        Assert.True(ca.ValidateServerCertificate(certificate, "podvm-web-12345678"));
        Assert.False(ca.ValidateServerCertificate(certificate, "podvm-other-12345678"));
    }

    [Fact]
    public void ValidateServerCertificate_OtherCa_Rejected()
    {
        using var ca = ForwarderCertificateAuthority.LoadOrCreate(Path.Combine(_root, "a"), TimeProvider.System);
        using var other = ForwarderCertificateAuthority.LoadOrCreate(Path.Combine(_root, "b"), TimeProvider.System);

        var (certificatePem, _) = other.IssueServerCertificate("podvm-web-1");
        using var certificate = X509Certificate2.CreateFromPem(certificatePem);

        Assert.False(ca.ValidateServerCertificate(certificate, "podvm-web-1"));
    }

    [Fact]
    public void LoadOrCreate_Twice_SameCaAndPrivateKeyFileIsOwnerOnly()
    {
        using var first = ForwarderCertificateAuthority.LoadOrCreate(_root, TimeProvider.System);
        using var second = ForwarderCertificateAuthority.LoadOrCreate(_root, TimeProvider.System);

        Assert.Equal(first.CaCertificate.Thumbprint, second.CaCertificate.Thumbprint);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_root, "forwarder-ca.key")));
        Assert.True(second.ClientCertificate.HasPrivateKey);
        var (certificatePem, _) = first.IssueServerCertificate("podvm-x-1");
        using var certificate = X509Certificate2.CreateFromPem(certificatePem);
        Assert.True(second.ValidateServerCertificate(certificate, "podvm-x-1"));
    }
}
