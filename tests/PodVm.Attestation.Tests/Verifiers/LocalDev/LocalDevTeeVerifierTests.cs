using System.Formats.Cbor;
using System.Security.Cryptography;
using System.Security.Cryptography.Cose;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using PodVm.Attestation.Verification;
using PodVm.Attestation.Verifiers;
using PodVm.Attestation.Verifiers.LocalDev;

namespace PodVm.Attestation.Tests.Verifiers.LocalDev;

public sealed class LocalDevTeeVerifierTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly ECDsa _platform = ECDsa.Create(ECCurve.NamedCurves.nistP384);
    private readonly ECDsa _other = ECDsa.Create(ECCurve.NamedCurves.nistP384);

    public void Dispose()
    {
        _platform.Dispose();
        _other.Dispose();
    }

    private static LocalDevTeeReport Report(DateTimeOffset? at = null, byte[]? akDigest = null) => new()
    {
        Measurement = LocalDevTeeMeasurement.Compute("kernel"u8, "initrd"u8, "console=ttyS0"),
        HostData = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray(),
        ReportData = Enumerable.Range(0, 64).Select(i => (byte)(0xA0 + (i % 16))).ToArray(),
        TpmAkDigest = akDigest,
        Timestamp = at ?? Now,
    };

    private IEvidenceVerifier Verifier(params ECDsa[] trusted) => EvidenceVerifiers.CreateLocalDev(
        new LocalDevTeeVerifierOptions { TrustedPlatformKeys = [.. trusted.Select(k => (ReadOnlyMemory<byte>)k.ExportSubjectPublicKeyInfo())] },
        new FakeTimeProvider(Now));

    private static async Task<VerificationResult> VerifyAsync(IEvidenceVerifier verifier, byte[] evidence, byte[]? reportData = null, byte[]? hostData = null) =>
        await verifier.VerifyAsync(new EvidenceToVerify { Evidence = evidence, ExpectedReportData = reportData, ExpectedInitDataDigest = hostData }, CancellationToken.None).AsTask().DefaultTimeout();

    private static void AssertRejected(VerificationResult result, VerificationFailureReason reason)
    {
        Assert.False(result.IsVerified, "expected a rejection");
        Assert.True(reason == result.Failure!.Reason, $"expected {reason}, got {result.Failure}");
    }

    [Fact]
    public async Task VerifyAsync_SignedReport_ReturnsDevelopmentClaims()
    {
        var report = Report(akDigest: SHA256.HashData("ak"u8));
        var signed = new LocalDevTeeReportSigner(_platform).Sign(report);

        var result = await VerifyAsync(Verifier(_platform), signed, report.ReportData.ToArray(), [.. report.HostData.ToArray(), .. new byte[16]]);

        Assert.True(result.IsVerified, result.Failure?.ToString());
        Assert.Equal(TeeType.LocalDev, result.Tee);
        Assert.True((bool?)result.Claims["development_tee"]);
        Assert.Equal(Convert.ToHexStringLower(report.Measurement.Span), (string?)result.Claims["measurement"]);
        Assert.Equal(Convert.ToHexStringLower(report.HostData.Span), (string?)result.Claims["host_data"]);
        Assert.Equal(Convert.ToHexStringLower(report.ReportData.Span), (string?)result.Claims["report_data"]);
        Assert.Equal(Convert.ToHexStringLower(LocalDevTeeFormat.KeyId(_platform)), (string?)result.Claims["platform_id"]);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData("ak"u8)), (string?)result.Claims["tpm_ak_digest"]);
        Assert.Equal("2026-03-01T12:00:00Z", (string?)result.Claims["timestamp"]);
    }

    [Fact]
    public async Task VerifyAsync_ConcurrentReportsWithTheKeptPlatformKey_EachVerifiedOrRefusedOnItsOwn()
    {
        // The platform key is imported once and its instances are pooled (8): 32 concurrent verifications, half of
        // them with a signature by another key under the trusted key id, must each get their own verdict.
        var verifier = Verifier(_platform);
        var good = new LocalDevTeeReportSigner(_platform).Sign(Report());
        var forged = Forge(good);

        var results = await Task.WhenAll(Enumerable.Range(0, 32).Select(i => Task.Run(() => VerifyAsync(verifier, i % 2 == 0 ? good : forged)))).DefaultTimeout();

        for (var i = 0; i < results.Length; i++)
        {
            if (i % 2 == 0)
            {
                Assert.True(results[i].IsVerified, results[i].Failure?.ToString());
            }
            else
            {
                AssertRejected(results[i], VerificationFailureReason.SignatureInvalid);
            }
        }
    }

    // The same COSE_Sign1 with its signature's last byte flipped.
    private static byte[] Forge(byte[] signed)
    {
        var forged = (byte[])signed.Clone();
        forged[^1] ^= 0x01;
        return forged;
    }

    [Fact]
    public async Task VerifyAsync_JsonWrappedReport_Verified()
    {
        var signed = new LocalDevTeeReportSigner(_platform).Sign(Report());
        var json = Encoding.UTF8.GetBytes($"{{\"report\":\"{Convert.ToBase64String(signed)}\"}}");

        var result = await VerifyAsync(Verifier(_platform), json);

        Assert.True(result.IsVerified, result.Failure?.ToString());
        Assert.Null(result.Claims["tpm_ak_digest"]);
    }

    [Fact]
    public async Task VerifyAsync_NoPlatformKeyConfigured_RejectedTeeDisabled()
    {
        var signed = new LocalDevTeeReportSigner(_platform).Sign(Report());

        var result = await VerifyAsync(Verifier(), signed);

        AssertRejected(result, VerificationFailureReason.TeeDisabled);
    }

    [Fact]
    public async Task VerifyAsync_SignedByUntrustedPlatform_RejectedAttestationKeyUntrusted()
    {
        var signed = new LocalDevTeeReportSigner(_other).Sign(Report());

        var result = await VerifyAsync(Verifier(_platform), signed);

        AssertRejected(result, VerificationFailureReason.AttestationKeyUntrusted);
    }

    [Fact]
    public async Task VerifyAsync_FlippedBitInPayload_RejectedSignatureInvalid()
    {
        var signed = new LocalDevTeeReportSigner(_platform).Sign(Report());
        var measurementAt = IndexOf(signed, Report().Measurement.ToArray());

        var result = await VerifyAsync(Verifier(_platform), Vectors.FlipBit(signed, measurementAt + 3));

        AssertRejected(result, VerificationFailureReason.SignatureInvalid);
    }

    [Fact]
    public async Task VerifyAsync_FlippedBitInSignature_RejectedSignatureInvalid()
    {
        var signed = new LocalDevTeeReportSigner(_platform).Sign(Report());

        var result = await VerifyAsync(Verifier(_platform), Vectors.FlipBit(signed, signed.Length - 10));

        AssertRejected(result, VerificationFailureReason.SignatureInvalid);
    }

    [Fact]
    public async Task VerifyAsync_KidOfTrustedKeyButSignedByAnother_RejectedSignatureInvalid()
    {
        // Another key claims the trusted platform's id: the signature check with the trusted key fails.
        var headers = new CoseHeaderMap
        {
            [CoseHeaderLabel.Algorithm] = CoseHeaderValue.FromInt32(-35),
            [CoseHeaderLabel.ContentType] = CoseHeaderValue.FromString(LocalDevTeeFormat.ContentType),
            [CoseHeaderLabel.KeyIdentifier] = CoseHeaderValue.FromBytes(LocalDevTeeFormat.KeyId(_platform)),
        };
        var payload = LocalDevTeeReportSigner.EncodePayload(Report(), LocalDevTeeFormat.KeyId(_platform));
        var forged = CoseSign1Message.SignEmbedded(payload, new CoseSigner(_other, HashAlgorithmName.SHA384, headers));

        var result = await VerifyAsync(Verifier(_platform), forged);

        AssertRejected(result, VerificationFailureReason.SignatureInvalid);
    }

    [Fact]
    public async Task VerifyAsync_PlatformIdDiffersFromKid_RejectedPlatformIdentityMismatch()
    {
        var headers = new CoseHeaderMap
        {
            [CoseHeaderLabel.Algorithm] = CoseHeaderValue.FromInt32(-35),
            [CoseHeaderLabel.ContentType] = CoseHeaderValue.FromString(LocalDevTeeFormat.ContentType),
            [CoseHeaderLabel.KeyIdentifier] = CoseHeaderValue.FromBytes(LocalDevTeeFormat.KeyId(_platform)),
        };
        var payload = LocalDevTeeReportSigner.EncodePayload(Report(), new byte[32]);
        var signed = CoseSign1Message.SignEmbedded(payload, new CoseSigner(_platform, HashAlgorithmName.SHA384, headers));

        var result = await VerifyAsync(Verifier(_platform), signed);

        AssertRejected(result, VerificationFailureReason.PlatformIdentityMismatch);
    }

    [Fact]
    public async Task VerifyAsync_Es256Report_RejectedUnsupportedVersion()
    {
        using var p256 = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var headers = new CoseHeaderMap { [CoseHeaderLabel.Algorithm] = CoseHeaderValue.FromInt32(-7) };
        var signed = CoseSign1Message.SignEmbedded(LocalDevTeeReportSigner.EncodePayload(Report(), new byte[32]), new CoseSigner(p256, HashAlgorithmName.SHA256, headers));

        var result = await VerifyAsync(Verifier(_platform), signed);

        AssertRejected(result, VerificationFailureReason.UnsupportedVersion);
    }

    [Theory]
    [InlineData(-11)]
    [InlineData(3)]
    public async Task VerifyAsync_TimestampOutsideWindow_RejectedStaleEvidence(int minutes)
    {
        var signed = new LocalDevTeeReportSigner(_platform).Sign(Report(Now.AddMinutes(minutes)));

        var result = await VerifyAsync(Verifier(_platform), signed);

        AssertRejected(result, VerificationFailureReason.StaleEvidence);
    }

    [Fact]
    public async Task VerifyAsync_WrongReportData_RejectedReportDataMismatch()
    {
        var signed = new LocalDevTeeReportSigner(_platform).Sign(Report());

        var result = await VerifyAsync(Verifier(_platform), signed, reportData: new byte[48]);

        AssertRejected(result, VerificationFailureReason.ReportDataMismatch);
    }

    [Fact]
    public async Task VerifyAsync_WrongHostData_RejectedInitDataMismatch()
    {
        var signed = new LocalDevTeeReportSigner(_platform).Sign(Report());

        var result = await VerifyAsync(Verifier(_platform), signed, hostData: new byte[48]);

        AssertRejected(result, VerificationFailureReason.InitDataMismatch);
    }

    [Fact]
    public async Task VerifyAsync_UnknownPayloadKey_RejectedMalformedEvidence()
    {
        var writer = new CborWriter(CborConformanceMode.Ctap2Canonical);
        writer.WriteStartMap(1);
        writer.WriteTextString("extra");
        writer.WriteInt32(1);
        writer.WriteEndMap();
        var headers = new CoseHeaderMap
        {
            [CoseHeaderLabel.Algorithm] = CoseHeaderValue.FromInt32(-35),
            [CoseHeaderLabel.ContentType] = CoseHeaderValue.FromString(LocalDevTeeFormat.ContentType),
            [CoseHeaderLabel.KeyIdentifier] = CoseHeaderValue.FromBytes(LocalDevTeeFormat.KeyId(_platform)),
        };
        var signed = CoseSign1Message.SignEmbedded(writer.Encode(), new CoseSigner(_platform, HashAlgorithmName.SHA384, headers));

        var result = await VerifyAsync(Verifier(_platform), signed);

        AssertRejected(result, VerificationFailureReason.MalformedEvidence);
    }

    [Fact]
    public async Task VerifyAsync_TruncatedAndOversized_RejectedMalformedEvidence()
    {
        var signed = new LocalDevTeeReportSigner(_platform).Sign(Report());
        var verifier = Verifier(_platform);

        for (var length = 0; length < signed.Length; length += 7)
        {
            AssertRejected(await VerifyAsync(verifier, signed[..length]), VerificationFailureReason.MalformedEvidence);
        }

        AssertRejected(await VerifyAsync(verifier, [.. signed, 0x00]), VerificationFailureReason.MalformedEvidence);
        AssertRejected(await VerifyAsync(verifier, new byte[5 * 1024 * 1024]), VerificationFailureReason.MalformedEvidence);
    }

    [Fact]
    public void Sign_WrongFieldLength_Throws()
    {
        var signer = new LocalDevTeeReportSigner(_platform);

        Assert.Throws<ArgumentException>(() => signer.Sign(Report() with { ReportData = new byte[32] }));
    }

    [Fact]
    public void Measurement_IsDomainSeparatedDigestOfDigests()
    {
        var expected = SHA384.HashData([
            .. Encoding.ASCII.GetBytes("podvm-local-dev-tee/measurement/v1\0"),
            .. SHA384.HashData("kernel"u8), .. SHA384.HashData("initrd"u8), .. SHA384.HashData("console=ttyS0"u8)]);

        Assert.Equal(expected, LocalDevTeeMeasurement.Compute("kernel"u8, "initrd"u8, "console=ttyS0"));
    }

    [Fact]
    public void EncodePayload_IsCanonicalCborWithDocumentedKeyOrder()
    {
        var payload = LocalDevTeeReportSigner.EncodePayload(Report(akDigest: new byte[32]), new byte[32]);
        var reader = new CborReader(payload, CborConformanceMode.Ctap2Canonical);
        var keys = new List<string>();

        var count = reader.ReadStartMap();
        for (var i = 0; i < count; i++)
        {
            keys.Add(reader.ReadTextString());
            reader.SkipValue();
        }

        Assert.Equal(["version", "host_data", "timestamp", "measurement", "platform_id", "report_data", "tpm_ak_digest"], keys);
        Assert.Equal(0xA7, payload[0]);
    }

    [Theory]
    [InlineData(false, 255)]
    [InlineData(true, 303)]
    public void Sign_Envelope_HasDocumentedLayout(bool withAk, int payloadLength)
    {
        var signed = new LocalDevTeeReportSigner(_platform).Sign(Report(akDigest: withAk ? new byte[32] : null));
        var reader = new CborReader(signed);

        Assert.Equal((CborTag)18, reader.ReadTag());
        Assert.Equal(4, reader.ReadStartArray());
        var protectedHeader = reader.ReadByteString();
        Assert.Equal(0, reader.ReadStartMap());
        reader.ReadEndMap();
        var payload = reader.ReadByteString();
        var signature = reader.ReadByteString();

        Assert.Equal(89, protectedHeader.Length);
        Assert.Equal(0xA3, protectedHeader[0]);
        Assert.Equal(payloadLength, payload.Length);
        Assert.Equal(96, signature.Length);
    }

    private static int IndexOf(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle);
}
