using System.Globalization;
using System.Text.Json.Nodes;
using PodVm.Attestation.Verification;
using PodVm.Attestation.Verifiers.Common;

namespace PodVm.Attestation.Verifiers.Tpm;

/// <summary>
/// The checks every TPM quote gets, generic and Azure alike: the signature over TPMS_ATTEST with the AK, the quote's
/// type, and that the PCR values sent beside it hash (in selection order, with the signature's hash) to the quoted
/// PCR digest. The caller decides how the AK is trusted and what extraData must hold.
/// </summary>
internal static class TpmQuoteVerifier
{
    public static TpmAttest Verify(ReadOnlySpan<byte> attestBytes, TpmSignature signature, ReadOnlySpan<byte> akSubjectPublicKeyInfo, IReadOnlyList<TpmPcrBank> pcrs)
    {
        bool valid;
        try
        {
            valid = signature.Verify(attestBytes, akSubjectPublicKeyInfo);
        }
        catch (System.Security.Cryptography.CryptographicException e)
        {
            throw new VerificationException(VerificationFailureReason.SignatureInvalid, $"the quote signature cannot be checked with the AK: {e.Message}");
        }

        if (!valid)
        {
            throw new VerificationException(VerificationFailureReason.SignatureInvalid, "the quote signature does not verify with the AK");
        }

        var attest = TpmAttest.Parse(attestBytes);
        var concatenated = new List<byte>();
        foreach (var selection in attest.Selections)
        {
            var bank = pcrs.FirstOrDefault(b => b.HashAlgorithm == selection.HashAlgorithm)
                ?? throw new VerificationException(VerificationFailureReason.MeasurementMismatch, $"the quote selects the {TpmHash.BankName(selection.HashAlgorithm)} bank but no values for it were sent");
            foreach (var index in selection.Pcrs)
            {
                if (!bank.Values.TryGetValue(index, out var value))
                {
                    throw new VerificationException(VerificationFailureReason.MeasurementMismatch, $"PCR {index} ({TpmHash.BankName(selection.HashAlgorithm)}) is quoted but its value was not sent");
                }

                concatenated.AddRange(value);
            }
        }

        var digest = TpmHash.Hash(signature.HashAlgorithm, [.. concatenated]);
        if (!digest.AsSpan().SequenceEqual(attest.PcrDigest))
        {
            throw new VerificationException(VerificationFailureReason.MeasurementMismatch, $"the PCR values hash to {Hex.Of(digest)}, the quote says {Hex.Of(attest.PcrDigest)}");
        }

        return attest;
    }

    /// <summary>The quoted PCRs per bank (only the selected ones), e.g. {"sha256": {"0": "…", "8": "…"}}.</summary>
    public static JsonObject QuotedPcrs(TpmAttest attest, IReadOnlyList<TpmPcrBank> pcrs)
    {
        var result = new JsonObject();
        foreach (var selection in attest.Selections)
        {
            var bank = pcrs.First(b => b.HashAlgorithm == selection.HashAlgorithm);
            var values = new JsonObject();
            foreach (var index in selection.Pcrs)
            {
                values[index.ToString(CultureInfo.InvariantCulture)] = Hex.Of(bank.Values[index]);
            }

            result[TpmHash.BankName(selection.HashAlgorithm)] = values;
        }

        return result;
    }

    public static JsonObject QuoteClaims(TpmAttest attest, IReadOnlyList<TpmPcrBank> pcrs) => new()
    {
        ["pcrs"] = QuotedPcrs(attest, pcrs),
        ["nonce"] = Hex.Of(attest.ExtraData),
        ["pcr_digest"] = Hex.Of(attest.PcrDigest),
        ["qualified_signer"] = Hex.Of(attest.QualifiedSigner),
        ["clock"] = attest.Clock,
        ["reset_count"] = attest.ResetCount,
        ["restart_count"] = attest.RestartCount,
        ["safe"] = attest.Safe,
        ["firmware_version"] = string.Create(CultureInfo.InvariantCulture, $"0x{attest.FirmwareVersion:x16}"),
    };

    /// <summary>A bank of PCR values from hex strings, index = position (Trustee sends all 24 SHA-256 PCRs).</summary>
    public static TpmPcrBank BankFromList(ushort alg, IEnumerable<byte[]> values)
    {
        var size = TpmHash.Size(alg);
        var dictionary = new Dictionary<int, byte[]>();
        var index = 0;
        foreach (var value in values)
        {
            if (value.Length != size)
            {
                throw VerificationException.Malformed($"PCR {index} is {value.Length} bytes, not {size}");
            }

            if (index >= 32)
            {
                throw VerificationException.Malformed("more than 32 PCR values");
            }

            dictionary[index++] = value;
        }

        return new TpmPcrBank(alg, dictionary);
    }
}
