using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using PodVm.Attestation.Verifiers.Common;

namespace PodVm.Attestation.Verifiers.Snp;

/// <summary>
/// The AMD ARK/ASK/ASVK certificates for Milan, Genoa and Turin, embedded in this assembly. Each ARK is pinned by the
/// SHA-256 of its DER and must be self-signed; each ASK and ASVK must be signed by its ARK. A broken resource is a
/// build defect, so it throws on first use rather than rejecting evidence.
/// </summary>
internal static class AmdRootCertificates
{
    private static readonly Lazy<Dictionary<SnpProcessorGeneration, AmdProductRoots>> Roots = new(Load);

    public static AmdProductRoots For(SnpProcessorGeneration generation) => Roots.Value[generation];

    public static IEnumerable<AmdProductRoots> All => Roots.Value.Values;

    private static Dictionary<SnpProcessorGeneration, AmdProductRoots> Load()
    {
        var pins = new Dictionary<SnpProcessorGeneration, string>
        {
            [SnpProcessorGeneration.Milan] = "69d063b45344d26a2e94e1f4210de49ef555308287d4c174445c95639a540bcd",
            [SnpProcessorGeneration.Genoa] = "4c6598d19c18719c5dfd4a7d335f674e5bfe1d8f800cea2cf270c10d103db2f1",
            [SnpProcessorGeneration.Turin] = "1f084161a44bb6d93778a904877d4819cafa5d05ef4193b2ded9dd9c73dd3f6a",
        };
        var result = new Dictionary<SnpProcessorGeneration, AmdProductRoots>();
        foreach (var (generation, pin) in pins)
        {
            var name = generation.ToString();
            var certificates = CertificateDecoder.DecodePem(ReadResource($"amd-{name.ToLowerInvariant()}-ask-ark-asvk.pem"), $"embedded {name} roots");
            var ark = certificates.Single(c => c.GetNameInfo(X509NameType.SimpleName, false) == $"ARK-{name}");
            var ask = certificates.Single(c => c.GetNameInfo(X509NameType.SimpleName, false) == $"SEV-{name}");
            var asvk = certificates.Single(c => c.GetNameInfo(X509NameType.SimpleName, false) == $"SEV-VLEK-{name}");
            if (!string.Equals(Convert.ToHexStringLower(SHA256.HashData(ark.RawData)), pin, StringComparison.Ordinal)
                || !X509SignatureVerifier.IsSignedBy(ark, ark)
                || !X509SignatureVerifier.IsSignedBy(ask, ark)
                || !X509SignatureVerifier.IsSignedBy(asvk, ark))
            {
                throw new InvalidOperationException($"the embedded AMD {name} root certificates do not verify");
            }

            result[generation] = new AmdProductRoots(generation, ark, ask, asvk);
        }

        return result;
    }

    internal static string ReadResource(string fileName)
    {
        using var stream = typeof(AmdRootCertificates).Assembly.GetManifestResourceStream($"PodVm.Attestation.Resources.{fileName}")
            ?? throw new InvalidOperationException($"embedded resource {fileName} is missing");
        using var reader = new StreamReader(stream, Encoding.ASCII);
        return reader.ReadToEnd();
    }
}
