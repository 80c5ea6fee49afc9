using System.Security.Cryptography;
using Microsoft.Extensions.Time.Testing;
using PodVm.Attestation.ReferenceValues;
using PodVm.LocalKvmProvider.Image;
using PodVm.LocalKvmProvider.Keys;

namespace PodVm.LocalKvmProvider.Tests.Tee;

public sealed class KeysAndReferenceValuesTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("podvm-keys-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void LoadOrCreateP384_Twice_SameKeyPrivateFileIs0600AndPublicHalfBeside()
    {
        var file = Path.Combine(_dir, "tee", "platform-key.pem");

        using var first = EcKeyFile.LoadOrCreateP384(file);
        using var second = EcKeyFile.LoadOrCreateP384(file);

        Assert.Equal(first.ExportSubjectPublicKeyInfo(), second.ExportSubjectPublicKeyInfo());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        using var fromPublic = ECDsa.Create();
        fromPublic.ImportFromPem(File.ReadAllText(EcKeyFile.PublicKeyFile(file)));
        Assert.Equal(first.ExportSubjectPublicKeyInfo(), fromPublic.ExportSubjectPublicKeyInfo());
        Assert.EndsWith("platform-key.pub.pem", EcKeyFile.PublicKeyFile(file), StringComparison.Ordinal);
    }

    [Fact]
    public void LoadOrCreateP384_P256KeyInFile_ThrowsNamingTheFile()
    {
        var file = Path.Combine(_dir, "wrong.pem");
        using (var p256 = ECDsa.Create(ECCurve.NamedCurves.nistP256))
        {
            File.WriteAllText(file, p256.ExportPkcs8PrivateKeyPem());
        }

        var e = Assert.Throws<CryptographicException>(() => EcKeyFile.LoadOrCreateP384(file));
        Assert.Contains(file, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_SignedBundle_ImportsWithTheSignerAndCarriesBothLaunchDigests()
    {
        var manifest = Manifest(
            new LaunchDigest("vmlinux", "initrd.img", "console=ttyS0", new string('1', 96)),
            new LaunchDigest("vmlinuz", "initrd.img", "console=ttyS0", new string('2', 96)));
        var key = Path.Combine(_dir, "keys", "reference-signer.pem");
        var now = new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

        var bundle = ReferenceValueExport.Write(_dir, manifest, key, now, TimeSpan.FromDays(30));

        var signer = ReferenceValueSigner.FromPem(ReferenceValueExport.SignerKeyId, File.ReadAllText(EcKeyFile.PublicKeyFile(key)));
        var values = new ReferenceValueImporter([signer], new FakeTimeProvider(now.AddDays(1))).ImportSigned(File.ReadAllBytes(bundle));
        var value = Assert.Single(values);
        Assert.Equal(ReferenceValueExport.MeasurementName, value.Name);
        Assert.Equal([new string('1', 96), new string('2', 96)], value.Values.Select(v => v.GetValue<string>()).Order(StringComparer.Ordinal));
        Assert.True(File.Exists(Path.Combine(_dir, ReferenceValueExport.ValuesFile)));
    }

    [Fact]
    public void Write_BundleImportedWithAnotherSigner_Refused()
    {
        var manifest = Manifest(new LaunchDigest("vmlinux", "initrd.img", "c", new string('1', 96)));
        var now = new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);
        var bundle = ReferenceValueExport.Write(_dir, manifest, Path.Combine(_dir, "signer.pem"), now, TimeSpan.FromDays(30));
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP384);

        var signer = ReferenceValueSigner.FromPem(ReferenceValueExport.SignerKeyId, other.ExportSubjectPublicKeyInfoPem());

        Assert.Throws<ReferenceValueException>(() => new ReferenceValueImporter([signer], new FakeTimeProvider(now)).ImportSigned(File.ReadAllBytes(bundle)));
    }

    /// <summary>A manifest with the PVH digest and, when given, the bzImage digest.</summary>
    private static ImageManifest Manifest(LaunchDigest pvh, LaunchDigest? bzImage = null)
    {
        var digests = new Dictionary<string, LaunchDigest> { [ImageManifest.PvhBoot] = pvh };
        if (bzImage is not null)
        {
            digests[ImageManifest.BzImageBoot] = bzImage;
        }

        return new ImageManifest
        {
            InputDigest = new string('a', 64),
            Kernel = new KernelComponent("linux-image", "1", "6.1", new string('b', 64)),
            Components = new Dictionary<string, string>(),
            Modules = [],
            GuestPrograms = [],
            Files = new Dictionary<string, string>(),
            InitramfsFiles = new Dictionary<string, string>(),
            LaunchDigests = digests,
        };
    }
}
