namespace PodVm.LocalKvmProvider.Image;

/// <summary>The guest-side files compiled into this assembly (Image/Guest/*): /init and its helpers.</summary>
internal static class GuestFiles
{
    public const string Init = "init.sh";
    public const string InitTab = "inittab";
    public const string PowerButton = "acpi-power-button.sh";
    public const string ReadyPage = "index.html";
    public const string BareInit = "bare-init.sh";
    public const string FstabEarly = "fstab.early";
    public const string FstabDev = "fstab.dev";

    public static byte[] Read(string name)
    {
        using var stream = typeof(GuestFiles).Assembly.GetManifestResourceStream("PodVm.LocalKvmProvider.Guest." + name)
            ?? throw new InvalidOperationException($"Guest file '{name}' is not embedded in this assembly.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
