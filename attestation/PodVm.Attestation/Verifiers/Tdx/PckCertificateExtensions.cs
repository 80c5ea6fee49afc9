using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;
using PodVm.Attestation.Verifiers.Common;

namespace PodVm.Attestation.Verifiers.Tdx;

/// <summary>
/// The SGX extension of a PCK certificate (OID 1.2.840.113741.1.13.1): FMSPC (.4), PCE-ID (.3), and the TCB (.2):
/// 16 SGX TCB component SVNs (.2.1–.2.16), PCESVN (.2.17) and CPUSVN (.2.18).
/// </summary>
internal sealed record PckCertificateExtensions(byte[] Fmspc, byte[] PceId, int[] SgxTcbComponents, int PceSvn)
{
    private const string Sgx = "1.2.840.113741.1.13.1";

    public static PckCertificateExtensions Parse(X509Certificate2 pck)
    {
        var extension = pck.Extensions.FirstOrDefault(e => e.Oid?.Value == Sgx)
            ?? throw VerificationException.Malformed("the PCK certificate has no SGX extension");
        byte[] fmspc = [], pceId = [];
        var components = new int[16];
        var pceSvn = -1;
        try
        {
            var items = new AsnReader(extension.RawData, AsnEncodingRules.DER).ReadSequence();
            while (items.HasData)
            {
                var item = items.ReadSequence();
                var oid = item.ReadObjectIdentifier();
                switch (oid)
                {
                    case Sgx + ".4": fmspc = item.ReadOctetString(); break;
                    case Sgx + ".3": pceId = item.ReadOctetString(); break;
                    case Sgx + ".2":
                        var tcb = item.ReadSequence();
                        while (tcb.HasData)
                        {
                            var component = tcb.ReadSequence();
                            var componentOid = component.ReadObjectIdentifier();
                            var suffix = componentOid[(Sgx.Length + 3)..];
                            if (int.TryParse(suffix, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= 17)
                            {
                                component.TryReadInt32(out var svn);
                                if (n == 17)
                                {
                                    pceSvn = svn;
                                }
                                else
                                {
                                    components[n - 1] = svn;
                                }
                            }
                        }

                        break;
                    default: break;
                }
            }
        }
        catch (AsnContentException e)
        {
            throw VerificationException.Malformed($"the PCK SGX extension is malformed: {e.Message}");
        }

        if (fmspc.Length != 6 || pceSvn < 0)
        {
            throw VerificationException.Malformed("the PCK SGX extension lacks FMSPC or PCESVN");
        }

        return new PckCertificateExtensions(fmspc, pceId, components, pceSvn);
    }
}
