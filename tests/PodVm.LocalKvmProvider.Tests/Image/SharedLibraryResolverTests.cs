using PodVm.LocalKvmProvider.Image;

namespace PodVm.LocalKvmProvider.Tests.Image;

public sealed class SharedLibraryResolverTests
{
    [Fact]
    public void Parse_LddOutput_AbsolutePathsSortedWithoutVdso()
    {
        const string output = """
                linux-vdso.so.1 (0x00007ffd)
                libseccomp.so.2 => /lib/x86_64-linux-gnu/libseccomp.so.2 (0x00007f0d)
                libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f0e)
                /lib64/ld-linux-x86-64.so.2 (0x00007f0f)
            """;
        Assert.Equal(
            ["/lib/x86_64-linux-gnu/libc.so.6", "/lib/x86_64-linux-gnu/libseccomp.so.2", "/lib64/ld-linux-x86-64.so.2"],
            SharedLibraryResolver.Parse(output, "crun"));
    }

    [Fact]
    public void Parse_MissingLibrary_ThrowsNamingIt()
    {
        var e = Assert.Throws<ImageBuildException>(() => SharedLibraryResolver.Parse("libyajl.so.2 => not found\n", "crun"));
        Assert.Contains("libyajl.so.2", e.Message, StringComparison.Ordinal);
    }
}
