using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using PodVm.Attestation.ReferenceValues;

namespace PodVm.Attestation.Tests.ReferenceValues;

public sealed class PodVmReferenceBundleTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static ReferenceValue Measurement(DateTimeOffset expiration) => new()
    {
        Name = "snp_launch_measurement",
        Values = [JsonValue.Create("a1f39304aabb")!],
        Expiration = expiration,
    };

    [Fact]
    public void ImportSigned_BundleFromImageBuild_RoundTrips()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var bundle = PodVmReferenceBundle.Sign([Measurement(Now.AddDays(30))], key, "image-build", "podvm-image-build", Now, Now.AddDays(10));
        var importer = new ReferenceValueImporter([new ReferenceValueSigner("image-build", key)], new FakeTimeProvider(Now.AddDays(1)));

        var values = importer.ImportSigned(bundle);

        var rv = Assert.Single(values);
        Assert.Equal("snp_launch_measurement", rv.Name);
        Assert.Equal("a1f39304aabb", (string?)rv.Values[0]);
        Assert.Equal(Now.AddDays(10), rv.Expiration);
        Assert.Contains("kid=image-build", rv.Source, StringComparison.Ordinal);
    }

    [Fact]
    public void ImportSigned_AfterBundleExpiry_NotValidNow()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var bundle = PodVmReferenceBundle.Sign([Measurement(Now.AddDays(30))], key, "k", "p", Now, Now.AddDays(1));
        var importer = new ReferenceValueImporter([new ReferenceValueSigner("k", key)], new FakeTimeProvider(Now.AddDays(2)));

        var ex = Assert.Throws<ReferenceValueException>(() => importer.ImportSigned(bundle));

        Assert.Equal(ReferenceValueError.NotValidNow, ex.Error);
    }

    [Fact]
    public void ImportSigned_SignedByUnconfiguredKey_Refused()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var trusted = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var bundle = PodVmReferenceBundle.Sign([Measurement(Now.AddDays(30))], key, "k", "p", Now, Now.AddDays(1));
        var importer = new ReferenceValueImporter([new ReferenceValueSigner("k", trusted)], new FakeTimeProvider(Now));

        var ex = Assert.Throws<ReferenceValueException>(() => importer.ImportSigned(bundle));

        Assert.Equal(ReferenceValueError.SignatureInvalid, ex.Error);
    }

    [Fact]
    public void ImportSigned_TamperedPayload_Refused()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var bundle = PodVmReferenceBundle.Sign([Measurement(Now.AddDays(30))], key, "k", "p", Now, Now.AddDays(1));
        var index = bundle.AsSpan().IndexOf("a1f39304aabb"u8);
        bundle[index] = (byte)'b';
        var importer = new ReferenceValueImporter([new ReferenceValueSigner("k", key)], new FakeTimeProvider(Now));

        var ex = Assert.Throws<ReferenceValueException>(() => importer.ImportSigned(bundle));

        Assert.Equal(ReferenceValueError.SignatureInvalid, ex.Error);
    }

    [Fact]
    public void ImportSigned_NoSignersConfigured_UnknownSigner()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var bundle = PodVmReferenceBundle.Sign([Measurement(Now.AddDays(30))], key, "k", "p", Now, Now.AddDays(1));
        var importer = new ReferenceValueImporter([], new FakeTimeProvider(Now));

        var ex = Assert.Throws<ReferenceValueException>(() => importer.ImportSigned(bundle));

        Assert.Equal(ReferenceValueError.UnknownSigner, ex.Error);
    }

    [Fact]
    public void ImportRvpsMessage_SampleWhenAllowed_ReadsValues()
    {
        var importer = new ReferenceValueImporter([], new FakeTimeProvider(Now)) { AllowUnsigned = true };
        var payload = Convert.ToBase64String("""{"svn":["1"],"launch_digest":["abcd"]}"""u8);

        var values = importer.ImportRvpsMessage($$"""{"version":"0.1.0","type":"sample","payload":"{{payload}}"}""");

        Assert.Equal(2, values.Count);
        Assert.All(values, v => Assert.Equal(Now.AddDays(365), v.Expiration));
    }

    [Fact]
    public void ImportRvpsMessage_SampleByDefault_Refused()
    {
        var importer = new ReferenceValueImporter([], new FakeTimeProvider(Now));
        var payload = Convert.ToBase64String("""{"svn":["1"]}"""u8);

        Assert.Throws<ReferenceValueException>(() => importer.ImportRvpsMessage($$"""{"version":"0.1.0","type":"sample","payload":"{{payload}}"}"""));
    }

    [Fact]
    public async Task InMemoryStore_ExpiredValue_IsAbsent()
    {
        var time = new FakeTimeProvider(Now);
        var store = new InMemoryReferenceValueStore(time);
        await store.SetAsync([Measurement(Now.AddHours(1))], TestContext.Current.CancellationToken);

        Assert.NotNull(await store.GetAsync("snp_launch_measurement", TestContext.Current.CancellationToken));
        time.Advance(TimeSpan.FromHours(1));

        Assert.Null(await store.GetAsync("snp_launch_measurement", TestContext.Current.CancellationToken));
        Assert.Empty(await store.ListAsync(TestContext.Current.CancellationToken));
    }
}
