namespace PodVm.LocalKvmProvider.Image;

/// <summary>A Debian kernel package, downloaded and extracted into the cache.</summary>
/// <param name="Package">Concrete package name, e.g. linux-image-6.1.0-56-amd64.</param>
/// <param name="Version">Debian version, e.g. 6.1.192-2.</param>
/// <param name="Release">Kernel release (uname -r), e.g. 6.1.0-56-amd64.</param>
/// <param name="DebSha256">SHA-256 of the .deb file, the cache key.</param>
/// <param name="Root">The extracted tree (boot/, lib/modules/RELEASE with modules.dep).</param>
internal sealed record KernelPackage(string Package, string Version, string Release, string DebSha256, string Root)
{
    public string Vmlinuz => Path.Combine(Root, "boot", "vmlinuz-" + Release);

    public string Vmlinux => Path.Combine(Root, "vmlinux");

    public string ModulesDirectory => Path.Combine(Root, "lib", "modules", Release);
}
