namespace PodVm.Attester.Tpm;

/// <summary>
/// The few TPM 2.0 commands the attester needs (TPM 2.0 Library, Part 3), marshalled by hand (NativeAOT, no TSS):
/// CreatePrimary of a restricted ECC P-256 ECDSA-SHA256 signing key from a fixed template (the same key every time on
/// the same TPM), PCR_Extend and PCR_Read of the SHA-256 bank, Quote and FlushContext. Empty-password authorization.
/// </summary>
internal sealed class TpmClient(ITpmTransport transport)
{
    private const int MaxRetries = 20;

    /// <summary>TPM2_CreatePrimary of the attestation key in <paramref name="hierarchy"/> (default: endorsement).</summary>
    public async Task<TpmAttestationKey> CreatePrimaryAkAsync(uint hierarchy, CancellationToken cancellationToken)
    {
        var command = CreatePrimaryAkCommand(hierarchy);
        var response = await ExecuteAsync(command, "CreatePrimary", cancellationToken).ConfigureAwait(false);
        return ParseCreatePrimary(response);
    }

    public Task<TpmAttestationKey> CreatePrimaryAkAsync(CancellationToken cancellationToken) =>
        CreatePrimaryAkAsync(TpmConstants.RhEndorsement, cancellationToken);

    /// <summary>TPM2_PCR_Extend of one SHA-256 digest into <paramref name="pcr"/>.</summary>
    public async Task PcrExtendSha256Async(int pcr, ReadOnlyMemory<byte> digest, CancellationToken cancellationToken)
    {
        var response = await ExecuteAsync(PcrExtendCommand(pcr, digest.Span), "PCR_Extend", cancellationToken).ConfigureAwait(false);
        TpmReader.Success(response, "PCR_Extend");
    }

    /// <summary>TPM2_PCR_Read of the SHA-256 bank, as many times as needed (a TPM returns at most 8 digests per call).</summary>
    public async Task<IReadOnlyDictionary<int, byte[]>> PcrReadSha256Async(IReadOnlyCollection<int> pcrs, CancellationToken cancellationToken)
    {
        var values = new SortedDictionary<int, byte[]>();
        var wanted = new SortedSet<int>(pcrs);
        while (wanted.Count > 0)
        {
            var response = await ExecuteAsync(PcrReadCommand(wanted), "PCR_Read", cancellationToken).ConfigureAwait(false);
            var returned = ParsePcrRead(response);
            if (returned.Count == 0)
            {
                throw new TpmException($"TPM2_PCR_Read returned none of PCRs {string.Join(',', wanted)} of the SHA-256 bank");
            }

            foreach (var (index, value) in returned)
            {
                if (wanted.Remove(index))
                {
                    values[index] = value;
                }
            }
        }

        return values;
    }

    /// <summary>TPM2_Quote of the SHA-256 <paramref name="pcrs"/> with the key's own scheme, qualified by <paramref name="qualifyingData"/>.</summary>
    public async Task<TpmQuote> QuoteAsync(uint keyHandle, ReadOnlyMemory<byte> qualifyingData, IReadOnlyCollection<int> pcrs, CancellationToken cancellationToken)
    {
        var response = await ExecuteAsync(QuoteCommand(keyHandle, qualifyingData.Span, pcrs), "Quote", cancellationToken).ConfigureAwait(false);
        return ParseQuote(response);
    }

    /// <summary>TPM2_FlushContext: frees a transient object.</summary>
    public async Task FlushContextAsync(uint handle, CancellationToken cancellationToken)
    {
        var command = new TpmCommand(TpmConstants.TagNoSessions, TpmConstants.CcFlushContext).UInt32(handle).ToArray();
        TpmReader.Success(await ExecuteAsync(command, "FlushContext", cancellationToken).ConfigureAwait(false), "FlushContext");
    }

    /// <summary>The fixed AK template: ECC P-256, nameAlg SHA-256, 0x00050072, ECDSA-SHA256, no KDF, empty unique.</summary>
    internal static byte[] AkTemplate() => new TpmCommand(0, 0)
        .UInt16(TpmConstants.AlgEcc)
        .UInt16(TpmConstants.AlgSha256)
        .UInt32(TpmConstants.AkAttributes)
        .UInt16(0) // authPolicy: empty
        .UInt16(TpmConstants.AlgNull) // symmetric: none
        .UInt16(TpmConstants.AlgEcdsa).UInt16(TpmConstants.AlgSha256)
        .UInt16(TpmConstants.EccNistP256)
        .UInt16(TpmConstants.AlgNull) // kdf: none
        .UInt16(0).UInt16(0) // unique: empty x, y
        .ToArray()[TpmCommand.HeaderSize..];

    internal static byte[] CreatePrimaryAkCommand(uint hierarchy)
    {
        var template = AkTemplate();
        return new TpmCommand(TpmConstants.TagSessions, TpmConstants.CcCreatePrimary)
            .UInt32(hierarchy)
            .EmptyPasswordAuthorization()
            .UInt16(4).UInt16(0).UInt16(0) // inSensitive: empty userAuth, empty data
            .Sized(template)
            .UInt16(0) // outsideInfo
            .UInt32(0) // creationPCR: none
            .ToArray();
    }

    internal static byte[] PcrExtendCommand(int pcr, ReadOnlySpan<byte> digest)
    {
        if (digest.Length != TpmConstants.Sha256Size)
        {
            throw new ArgumentException("a SHA-256 extend takes exactly 32 bytes", nameof(digest));
        }

        if (pcr is < 0 or > 23)
        {
            throw new ArgumentOutOfRangeException(nameof(pcr), "PCRs are 0-23");
        }

        return new TpmCommand(TpmConstants.TagSessions, TpmConstants.CcPcrExtend)
            .UInt32((uint)pcr)
            .EmptyPasswordAuthorization()
            .UInt32(1).UInt16(TpmConstants.AlgSha256).Bytes(digest)
            .ToArray();
    }

    internal static byte[] PcrReadCommand(IReadOnlyCollection<int> pcrs) =>
        new TpmCommand(TpmConstants.TagNoSessions, TpmConstants.CcPcrRead).PcrSelection(TpmConstants.AlgSha256, pcrs).ToArray();

    internal static byte[] QuoteCommand(uint keyHandle, ReadOnlySpan<byte> qualifyingData, IReadOnlyCollection<int> pcrs) =>
        new TpmCommand(TpmConstants.TagSessions, TpmConstants.CcQuote)
            .UInt32(keyHandle)
            .EmptyPasswordAuthorization()
            .Sized(qualifyingData)
            .UInt16(TpmConstants.AlgNull) // inScheme: the key's scheme
            .PcrSelection(TpmConstants.AlgSha256, pcrs)
            .ToArray();

    internal static TpmAttestationKey ParseCreatePrimary(ReadOnlySpan<byte> response)
    {
        var reader = TpmReader.Success(response, "CreatePrimary");
        var handle = reader.UInt32();
        var parameters = new TpmReader(reader.Parameters(), "TPM2_CreatePrimary parameters");
        var tpmtPublic = parameters.Sized().ToArray();
        parameters.Sized(); // creationData
        parameters.Sized(); // creationHash
        parameters.UInt16(); // creationTicket: tag
        parameters.UInt32(); // hierarchy
        parameters.Sized(); // digest
        var name = parameters.Sized().ToArray();
        return new TpmAttestationKey(handle, name, tpmtPublic, TpmEccPublicKey.SubjectPublicKeyInfo(tpmtPublic));
    }

    internal static Dictionary<int, byte[]> ParsePcrRead(ReadOnlySpan<byte> response)
    {
        var reader = TpmReader.Success(response, "PCR_Read");
        reader.UInt32(); // pcrUpdateCounter
        var banks = reader.UInt32();
        var order = new List<int>();
        for (var i = 0; i < banks; i++)
        {
            var alg = reader.UInt16();
            var indices = TpmPcrSelect.Indices(reader.Bytes(reader.UInt8()));
            if (alg == TpmConstants.AlgSha256)
            {
                order.AddRange(indices);
            }
            else if (indices.Count > 0)
            {
                throw new TpmException($"TPM2_PCR_Read returned bank 0x{alg:x4}, not SHA-256");
            }
        }

        var count = reader.UInt32();
        if (count != order.Count)
        {
            throw new TpmException($"TPM2_PCR_Read returned {count} digests for {order.Count} selected PCRs");
        }

        var values = new Dictionary<int, byte[]>();
        foreach (var index in order)
        {
            var digest = reader.Sized();
            if (digest.Length != TpmConstants.Sha256Size)
            {
                throw new TpmException($"TPM2_PCR_Read: PCR {index} is {digest.Length} bytes, not 32");
            }

            values[index] = digest.ToArray();
        }

        return values;
    }

    internal static TpmQuote ParseQuote(ReadOnlySpan<byte> response)
    {
        var reader = TpmReader.Success(response, "Quote");
        var parameters = new TpmReader(reader.Parameters(), "TPM2_Quote parameters");
        var attest = parameters.Sized().ToArray();
        var signature = parameters.Bytes(parameters.Remaining).ToArray();
        return new TpmQuote(attest, signature);
    }

    private async Task<byte[]> ExecuteAsync(byte[] command, string name, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var response = await transport.TransmitAsync(command, cancellationToken).ConfigureAwait(false);
            if (!TpmConstants.IsRetry(TpmReader.ResponseCode(response, name)) || attempt >= MaxRetries)
            {
                return response;
            }
        }
    }
}
