using System.Text.Json;
using PodVm.Attestation.Verification;
using PodVm.Attestation.Verifiers.Common;

namespace PodVm.Attestation.Verifiers.Tdx;

/// <summary>
/// Intel's TCB level matching for TDX: the first TCB level whose 16 SGX components and PCESVN are at most the PCK
/// certificate's and whose 16 TDX components are at most the quote's TEE_TCB_SVN gives the platform status; the QE
/// identity must match the QE report (MRSIGNER, ISVPRODID, masked MISCSELECT and ATTRIBUTES) and its ISVSVN gives the
/// QE status. The result is the worse of the two.
/// </summary>
internal static class TdxTcbEvaluator
{
    public static string EvaluatePlatform(JsonElement tcbInfo, PckCertificateExtensions pck, ReadOnlySpan<byte> teeTcbSvn, out string? tcbDate, out List<string> advisories)
    {
        tcbDate = null;
        advisories = [];
        var levels = JsonEvidence.Property(tcbInfo, "tcbLevels", "tcbInfo");
        foreach (var level in levels.EnumerateArray())
        {
            var tcb = JsonEvidence.Property(level, "tcb", "tcbLevel");
            var sgx = Svns(JsonEvidence.Property(tcb, "sgxtcbcomponents", "tcb"));
            var tdx = Svns(JsonEvidence.Property(tcb, "tdxtcbcomponents", "tcb"));
            var pceSvn = (int)JsonEvidence.UInt64(JsonEvidence.Property(tcb, "pcesvn", "tcb"), "pcesvn");
            var matches = pceSvn <= pck.PceSvn;
            for (var i = 0; i < 16 && matches; i++)
            {
                matches = sgx[i] <= pck.SgxTcbComponents[i] && tdx[i] <= teeTcbSvn[i];
            }

            if (matches)
            {
                tcbDate = JsonEvidence.OptionalProperty(level, "tcbDate")?.GetString();
                if (JsonEvidence.OptionalProperty(level, "advisoryIDs") is { ValueKind: JsonValueKind.Array } ids)
                {
                    advisories.AddRange(ids.EnumerateArray().Select(a => a.GetString() ?? string.Empty));
                }

                return JsonEvidence.String(JsonEvidence.Property(level, "tcbStatus", "tcbLevel"), "tcbStatus");
            }
        }

        return "Unrecognized";
    }

    public static string EvaluateQe(JsonElement identity, ReadOnlySpan<byte> qeReport)
    {
        var misc = Hex.Parse(JsonEvidence.String(JsonEvidence.Property(identity, "miscselect", "enclaveIdentity"), "miscselect"), "miscselect");
        var miscMask = Hex.Parse(JsonEvidence.String(JsonEvidence.Property(identity, "miscselectMask", "enclaveIdentity"), "miscselectMask"), "miscselectMask");
        var attributes = Hex.Parse(JsonEvidence.String(JsonEvidence.Property(identity, "attributes", "enclaveIdentity"), "attributes"), "attributes");
        var attributesMask = Hex.Parse(JsonEvidence.String(JsonEvidence.Property(identity, "attributesMask", "enclaveIdentity"), "attributesMask"), "attributesMask");
        var mrSigner = Hex.Parse(JsonEvidence.String(JsonEvidence.Property(identity, "mrsigner", "enclaveIdentity"), "mrsigner"), "mrsigner");
        var prodId = JsonEvidence.UInt64(JsonEvidence.Property(identity, "isvprodid", "enclaveIdentity"), "isvprodid");
        if (misc.Length != 4 || miscMask.Length != 4 || attributes.Length != 16 || attributesMask.Length != 16 || mrSigner.Length != 32)
        {
            throw VerificationException.Malformed("the QE identity has fields of the wrong size");
        }

        // MISCSELECT is a little-endian u32 in the report; PCS writes it as big-endian hex.
        var reportMisc = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(qeReport[16..]);
        var identityMisc = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(misc);
        var maskMisc = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(miscMask);
        var matches = (reportMisc & maskMisc) == (identityMisc & maskMisc)
            && qeReport.Slice(128, 32).SequenceEqual(mrSigner)
            && System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(qeReport[256..]) == prodId;
        for (var i = 0; i < 16 && matches; i++)
        {
            matches = (qeReport[48 + i] & attributesMask[i]) == (attributes[i] & attributesMask[i]);
        }

        if (!matches)
        {
            throw new VerificationException(VerificationFailureReason.TcbMismatch, "the quoting enclave does not match Intel's TD QE identity");
        }

        var isvSvn = System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(qeReport[258..]);
        foreach (var level in JsonEvidence.Property(identity, "tcbLevels", "enclaveIdentity").EnumerateArray())
        {
            var svn = JsonEvidence.UInt64(JsonEvidence.Property(JsonEvidence.Property(level, "tcb", "tcbLevel"), "isvsvn", "tcb"), "isvsvn");
            if (svn <= isvSvn)
            {
                return JsonEvidence.String(JsonEvidence.Property(level, "tcbStatus", "tcbLevel"), "tcbStatus");
            }
        }

        return "Unrecognized";
    }

    /// <summary>The worse of two statuses: UpToDate &lt; SWHardeningNeeded &lt; ConfigurationNeeded &lt; … &lt; OutOfDate &lt; Revoked.</summary>
    public static string Worse(string a, string? b)
    {
        if (b is null)
        {
            return a;
        }

        string[] order = ["UpToDate", "SWHardeningNeeded", "ConfigurationNeeded", "ConfigurationAndSWHardeningNeeded", "OutOfDate", "OutOfDateConfigurationNeeded", "Unrecognized", "Revoked"];
        var ia = Array.IndexOf(order, a);
        var ib = Array.IndexOf(order, b);
        return (ia < 0 ? order.Length : ia) >= (ib < 0 ? order.Length : ib) ? a : b;
    }

    private static int[] Svns(JsonElement components)
    {
        var result = new int[16];
        var i = 0;
        foreach (var component in components.EnumerateArray())
        {
            if (i == 16)
            {
                throw VerificationException.Malformed("more than 16 TCB components");
            }

            result[i++] = (int)JsonEvidence.UInt64(JsonEvidence.Property(component, "svn", "tcb component"), "svn");
        }

        return result;
    }
}
