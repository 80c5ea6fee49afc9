namespace PodVm.Attester.Evidence;

/// <summary>One certificate from the SNP extended report's certificate table (virtee/sev CertTableEntry).</summary>
/// <param name="Type">"VCEK", "VLEK", "ASK", "ARK", "CRL" or "OTHER(&lt;guid&gt;)".</param>
internal sealed record SnpCertificate(string Type, byte[] Data);
