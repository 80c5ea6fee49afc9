namespace PodVm.LocalKvmProvider.Image;

/// <summary>One path in the initramfs; a file's bytes come from <see cref="SourceFile"/> or <see cref="Content"/>.</summary>
internal sealed record InitramfsEntry(string Path, InitramfsEntryKind Kind, int Permissions)
{
    public string? SourceFile { get; init; }
    public byte[]? Content { get; init; }
    public string? LinkTarget { get; init; }
    public int DeviceMajor { get; init; }
    public int DeviceMinor { get; init; }
}
