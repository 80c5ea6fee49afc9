using PodVm.Attestation.ReferenceValues;

namespace PodVm.Attestation.Kbs;

/// <summary>What one appraisal reads: the stored policy document (null = not stored) and the reference values (read-only view).</summary>
public sealed record AppraisalInputs(string? PolicyDocument, IReferenceValueStore ReferenceValues);
