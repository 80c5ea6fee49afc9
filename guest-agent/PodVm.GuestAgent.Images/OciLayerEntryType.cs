namespace PodVm.GuestAgent.Images;

/// <summary>The kinds of filesystem entry a layer holds.</summary>
public enum OciLayerEntryType
{
    /// <summary>A directory.</summary>
    Directory,

    /// <summary>A regular file.</summary>
    File,

    /// <summary>A symbolic link.</summary>
    Symlink,
}
