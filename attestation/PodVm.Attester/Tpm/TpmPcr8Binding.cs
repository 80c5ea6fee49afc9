namespace PodVm.Attester.Tpm;

/// <summary>What binding the initdata digest into PCR8 found and did.</summary>
internal enum TpmPcr8Binding
{
    /// <summary>PCR8 was zero; the digest was extended into it now.</summary>
    Extended,

    /// <summary>PCR8 already holds SHA-256(0^32 ‖ digest) (an earlier start in this boot extended it).</summary>
    AlreadyBound,

    /// <summary>PCR8 holds something else: not extended again; the KBS will refuse the initdata binding.</summary>
    Foreign,

    /// <summary>No initdata digest: PCR8 left as it is.</summary>
    NoInitData,
}
