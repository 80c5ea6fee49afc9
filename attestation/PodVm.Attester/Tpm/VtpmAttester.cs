using System.Security.Cryptography;

namespace PodVm.Attester.Tpm;

/// <summary>
/// The guest's vTPM: binds the initdata digest into PCR8 once per boot (SHA-256 bank, the first 32 bytes of the
/// digest, zero-padded if shorter, as peer pods' images do with <c>tpm2_pcrextend 8:sha256=…</c>), creates the
/// attestation key, and quotes PCRs 0-9 with the report data as qualifying data.
/// </summary>
internal sealed class VtpmAttester : IDisposable
{
    /// <summary>The PCRs quoted: the firmware's and the boot loader's (0-7), the initdata (8) and 9.</summary>
    public static readonly IReadOnlyList<int> QuotedPcrs = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];

    public const int InitDataPcr = 8;

    private readonly ITpmTransport _transport;
    private readonly TpmClient _client;
    private readonly TpmAttestationKey _ak;

    private VtpmAttester(ITpmTransport transport, TpmClient client, TpmAttestationKey ak, TpmPcr8Binding binding)
    {
        _transport = transport;
        _client = client;
        _ak = ak;
        Binding = binding;
    }

    /// <summary>DER SubjectPublicKeyInfo of the attestation key (its SHA-256 goes into the local TEE report).</summary>
    public byte[] AkSubjectPublicKeyInfo => _ak.SubjectPublicKeyInfo;

    public TpmPcr8Binding Binding { get; }

    /// <summary>The AK's transient handle (a TPM without a resource manager needs it flushed explicitly).</summary>
    public uint AkHandle => _ak.Handle;

    /// <summary>Binds the initdata (when given) and creates the AK. Takes ownership of <paramref name="transport"/>.</summary>
    public static async Task<VtpmAttester> StartAsync(ITpmTransport transport, ReadOnlyMemory<byte> initDataDigest, CancellationToken cancellationToken)
    {
        try
        {
            var client = new TpmClient(transport);
            var binding = initDataDigest.IsEmpty ? TpmPcr8Binding.NoInitData : await BindInitDataAsync(client, initDataDigest, cancellationToken).ConfigureAwait(false);
            var ak = await client.CreatePrimaryAkAsync(cancellationToken).ConfigureAwait(false);
            return new VtpmAttester(transport, client, ak, binding);
        }
        catch
        {
            transport.Dispose();
            throw;
        }
    }

    /// <summary>SHA-256(0^32 ‖ digest resized to 32 bytes): PCR8 after one extend from reset.</summary>
    public static byte[] ExpectedPcr8(ReadOnlySpan<byte> initDataDigest)
    {
        Span<byte> input = stackalloc byte[64];
        input.Clear();
        initDataDigest[..Math.Min(32, initDataDigest.Length)].CopyTo(input[32..]);
        return SHA256.HashData(input);
    }

    /// <summary>A quote of <see cref="QuotedPcrs"/> qualified by <paramref name="reportData"/>, with the AK and the PCR values.</summary>
    public async Task<TpmEvidence> QuoteAsync(ReadOnlyMemory<byte> reportData, CancellationToken cancellationToken)
    {
        var quote = await _client.QuoteAsync(_ak.Handle, reportData, [.. QuotedPcrs], cancellationToken).ConfigureAwait(false);
        var values = await _client.PcrReadSha256Async([.. QuotedPcrs], cancellationToken).ConfigureAwait(false);
        var pcrs = new List<string>(QuotedPcrs.Count);
        for (var i = 0; i <= QuotedPcrs[^1]; i++)
        {
            pcrs.Add(Convert.ToHexStringLower(values[i]));
        }

        return new TpmEvidence(
            Convert.ToBase64String(_ak.SubjectPublicKeyInfo),
            new TpmQuoteEvidence(Convert.ToBase64String(quote.Attest), Convert.ToBase64String(quote.Signature), pcrs));
    }

    public void Dispose() => _transport.Dispose();

    private static async Task<TpmPcr8Binding> BindInitDataAsync(TpmClient client, ReadOnlyMemory<byte> initDataDigest, CancellationToken cancellationToken)
    {
        var expected = ExpectedPcr8(initDataDigest.Span);
        var current = (await client.PcrReadSha256Async([InitDataPcr], cancellationToken).ConfigureAwait(false))[InitDataPcr];
        if (current.AsSpan().SequenceEqual(expected))
        {
            return TpmPcr8Binding.AlreadyBound;
        }

        if (current.AsSpan().ContainsAnyExcept((byte)0))
        {
            return TpmPcr8Binding.Foreign;
        }

        var extend = new byte[32];
        initDataDigest.Span[..Math.Min(32, initDataDigest.Length)].CopyTo(extend);
        await client.PcrExtendSha256Async(InitDataPcr, extend, cancellationToken).ConfigureAwait(false);
        return TpmPcr8Binding.Extended;
    }
}
