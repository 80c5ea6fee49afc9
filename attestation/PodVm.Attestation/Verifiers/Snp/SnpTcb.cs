using System.Text.Json.Nodes;

namespace PodVm.Attestation.Verifiers.Snp;

/// <summary>
/// An SEV-SNP TCB_VERSION, decoded for its generation: Milan/Genoa [0] boot loader, [1] TEE, [6] SNP, [7] microcode;
/// Turin [0] FMC, [1] boot loader, [2] TEE, [3] SNP, [7] microcode.
/// </summary>
public readonly record struct SnpTcb(byte? Fmc, byte Bootloader, byte Tee, byte Snp, byte Microcode)
{
    public static SnpTcb FromRaw(ulong raw, SnpProcessorGeneration generation)
    {
        byte B(int i) => (byte)(raw >> (8 * i));
        return generation == SnpProcessorGeneration.Turin
            ? new SnpTcb(B(0), B(1), B(2), B(3), B(7))
            : new SnpTcb(null, B(0), B(1), B(6), B(7));
    }

    public ulong ToRaw(SnpProcessorGeneration generation) => generation == SnpProcessorGeneration.Turin
        ? (ulong)(Fmc ?? 0) | ((ulong)Bootloader << 8) | ((ulong)Tee << 16) | ((ulong)Snp << 24) | ((ulong)Microcode << 56)
        : Bootloader | ((ulong)Tee << 8) | ((ulong)Snp << 48) | ((ulong)Microcode << 56);

    internal JsonObject ToJson()
    {
        var json = new JsonObject
        {
            ["bootloader"] = (int)Bootloader,
            ["tee"] = (int)Tee,
            ["snp"] = (int)Snp,
            ["microcode"] = (int)Microcode,
        };
        if (Fmc is { } fmc)
        {
            json["fmc"] = (int)fmc;
        }

        return json;
    }

    public override string ToString() => Fmc is { } fmc
        ? $"fmc{fmc}/bl{Bootloader}/tee{Tee}/snp{Snp}/ucode{Microcode}"
        : $"bl{Bootloader}/tee{Tee}/snp{Snp}/ucode{Microcode}";
}
