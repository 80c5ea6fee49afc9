using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using PodVm.Attestation.ReferenceValues;

namespace PodVm.Attestation.Tests.ReferenceValues;

public sealed class CorimVectorTests(ITestOutputHelper output)
{
    private static readonly DateTimeOffset At = new(2025, 6, 1, 0, 0, 0, TimeSpan.Zero);

    private static string Vector(string name) => Path.Combine(RepoPaths.AttestationVectors, "corim", name);

    private static ReferenceValueSigner VectorSigner() =>
        ReferenceValueSigner.FromJwk((JsonObject)JsonNode.Parse(File.ReadAllText(Vector("ec-p256-public.DERIVED.jwk")))!);

    [Theory]
    [InlineData("signed-good-corim.cbor")]
    [InlineData("signed-example-corim.cbor")]
    public void Verify_SignedCorimVector_VerifiesWithKid1(string file)
    {
        var bundle = SignedBundleVerifier.Verify(File.ReadAllBytes(Vector(file)), [VectorSigner()], At);

        Assert.Equal("1", bundle.SignerKeyId);
        Assert.StartsWith("application/rim+cbor", bundle.ContentType, StringComparison.Ordinal);
        Assert.False(bundle.Payload.IsEmpty);
    }

    [Theory]
    [InlineData("signed-good-corim.cbor")]
    [InlineData("signed-example-corim.cbor")]
    public void ImportSigned_SignedCorimVector_YieldsNamedValues(string file)
    {
        var importer = new ReferenceValueImporter([VectorSigner()], new FakeTimeProvider(At));

        var values = importer.ImportSigned(File.ReadAllBytes(Vector(file)));

        foreach (var v in values)
        {
            output.WriteLine($"{v.Name} = {string.Join(",", v.Values.Select(x => x.ToJsonString()))} until {v.Expiration:O}");
        }

        Assert.NotEmpty(values);
        Assert.All(values, v => Assert.StartsWith("corim kid=1", v.Source, StringComparison.Ordinal));
    }

    [Fact]
    public void Verify_FlippedPayloadBit_SignatureInvalid()
    {
        var bytes = File.ReadAllBytes(Vector("signed-good-corim.cbor"));
        bytes[^80] ^= 0x01;

        var ex = Assert.Throws<ReferenceValueException>(() => SignedBundleVerifier.Verify(bytes, [VectorSigner()], At));

        Assert.Contains(ex.Error, new[] { ReferenceValueError.SignatureInvalid, ReferenceValueError.Malformed });
    }

    [Fact]
    public void Verify_FlippedSignatureBit_SignatureInvalid()
    {
        var bytes = File.ReadAllBytes(Vector("signed-good-corim.cbor"));
        bytes[^1] ^= 0x01;

        var ex = Assert.Throws<ReferenceValueException>(() => SignedBundleVerifier.Verify(bytes, [VectorSigner()], At));

        Assert.Equal(ReferenceValueError.SignatureInvalid, ex.Error);
    }

    [Fact]
    public void Verify_OtherKeyWithSameKid_SignatureInvalid()
    {
        using var other = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var signer = new ReferenceValueSigner("1", other);

        var ex = Assert.Throws<ReferenceValueException>(() => SignedBundleVerifier.Verify(File.ReadAllBytes(Vector("signed-good-corim.cbor")), [signer], At));

        Assert.Equal(ReferenceValueError.SignatureInvalid, ex.Error);
    }

    [Fact]
    public void Verify_NoSignerForKid_UnknownSigner()
    {
        var signer = VectorSigner() with { KeyId = "someone-else" };

        var ex = Assert.Throws<ReferenceValueException>(() => SignedBundleVerifier.Verify(File.ReadAllBytes(Vector("signed-good-corim.cbor")), [signer], At));

        Assert.Equal(ReferenceValueError.UnknownSigner, ex.Error);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(20)]
    [InlineData(100)]
    public void Verify_Truncated_Malformed(int length)
    {
        var bytes = File.ReadAllBytes(Vector("signed-good-corim.cbor")).AsMemory(0, length);

        var ex = Assert.Throws<ReferenceValueException>(() => SignedBundleVerifier.Verify(bytes, [VectorSigner()], At));

        Assert.Equal(ReferenceValueError.Malformed, ex.Error);
    }

    [Fact]
    public void Verify_Oversized_Malformed()
    {
        var ex = Assert.Throws<ReferenceValueException>(() => SignedBundleVerifier.Verify(new byte[SignedBundleVerifier.MaxBundleBytes + 1], [VectorSigner()], At));

        Assert.Equal(ReferenceValueError.Malformed, ex.Error);
    }

    [Theory]
    [InlineData("unsigned-good-corim.cbor")]
    [InlineData("unsigned-example-corim.cbor")]
    [InlineData("trustee-unsigned-example-corim.cbor")]
    public void Read_UnsignedCorimVector_Parses(string file)
    {
        var values = CorimReader.Read(File.ReadAllBytes(Vector(file)), At.AddDays(1), "test");

        foreach (var v in values)
        {
            output.WriteLine($"{v.Name} = {string.Join(",", v.Values.Select(x => x.ToJsonString()))}");
        }

        Assert.NotEmpty(values);
    }

    [Fact]
    public void ImportRvpsMessage_UnsignedCorimNotAllowed_Refused()
    {
        var importer = new ReferenceValueImporter([VectorSigner()], new FakeTimeProvider(At));
        var message = new JsonObject { ["version"] = "0.1.0", ["type"] = "corim", ["payload"] = Convert.ToBase64String(File.ReadAllBytes(Vector("unsigned-good-corim.cbor"))) };

        var ex = Assert.Throws<ReferenceValueException>(() => importer.ImportRvpsMessage(message.ToJsonString()));

        Assert.Equal(ReferenceValueError.UnknownSigner, ex.Error);
    }

    [Fact]
    public void ImportRvpsMessage_SignedCorim_Verified()
    {
        var importer = new ReferenceValueImporter([VectorSigner()], new FakeTimeProvider(At));
        var message = new JsonObject { ["version"] = "0.1.0", ["type"] = "corim", ["payload"] = Convert.ToBase64String(File.ReadAllBytes(Vector("signed-good-corim.cbor"))) };

        Assert.NotEmpty(importer.ImportRvpsMessage(message.ToJsonString()));
    }
}
