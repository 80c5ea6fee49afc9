namespace PodVm.Attester.Evidence;

/// <summary>One configfs-tsm report: the provider name ("sev_guest", "tdx_guest"), outblob and optional auxblob.</summary>
internal sealed record TsmReport(string Provider, byte[] OutBlob, byte[]? AuxBlob);
