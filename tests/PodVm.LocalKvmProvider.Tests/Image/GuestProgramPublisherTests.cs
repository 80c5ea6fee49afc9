using PodVm.LocalKvmProvider.Image;

namespace PodVm.LocalKvmProvider.Tests.Image;

public sealed class GuestProgramPublisherTests
{
    [Theory]
    [InlineData("podvm-guest-agent", "guest-agent/PodVm.GuestAgent/PodVm.GuestAgent.csproj", "podvm-guest-agent")]
    [InlineData("PodVm.GuestAgent", "guest-agent/PodVm.GuestAgent/PodVm.GuestAgent.csproj", "podvm-guest-agent")]
    [InlineData("PodVm.AgentProtocolForwarder", "x/PodVm.AgentProtocolForwarder.csproj", "podvm-forwarder")]
    [InlineData("PodVm.ConfigProcessor", "x/PodVm.ConfigProcessor.csproj", "podvm-config-processor")]
    public void GuestName_ProjectNames_MapToUsrBinNames(string assemblyName, string project, string expected)
    {
        Assert.Equal(expected, GuestProgramPublisher.GuestName(assemblyName, project));
    }

    [Fact]
    public void Discover_MarkedExeProjectsOnly_SkipsLibrariesTestsAndHostPrograms()
    {
        var root = Directory.CreateTempSubdirectory("podvm-repo-").FullName;
        try
        {
            void Project(string path, string outputType, bool guest = true)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(root, path))!);
                var marker = guest ? "<PodVmGuestProgram>true</PodVmGuestProgram>" : string.Empty;
                File.WriteAllText(Path.Combine(root, path), $"<Project><PropertyGroup><OutputType>{outputType}</OutputType>{marker}</PropertyGroup></Project>");
            }

            Project("guest-agent/PodVm.GuestAgent/PodVm.GuestAgent.csproj", "Exe");
            Project("guest-agent/PodVm.GuestAgent.Images/PodVm.GuestAgent.Images.csproj", "Library");
            Project("guest-agent/PodVm.GuestAgent.Tests/PodVm.GuestAgent.Tests.csproj", "Exe");
            Project("agent-protocol-forwarder/PodVm.Forwarder/PodVm.Forwarder.csproj", "Exe");
            Project("attestation/PodVm.Kbs/PodVm.Kbs.csproj", "Exe", guest: false);

            var found = new GuestProgramPublisher(root, Path.Combine(root, "cache"), _ => { }).Discover();

            Assert.Equal(
                [Path.Combine(root, "agent-protocol-forwarder/PodVm.Forwarder/PodVm.Forwarder.csproj"), Path.Combine(root, "guest-agent/PodVm.GuestAgent/PodVm.GuestAgent.csproj")],
                found);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void Links_MultiCallProject_NamesInOrdinalOrder()
    {
        var project = Path.Combine(Directory.CreateTempSubdirectory("podvm-repo-").FullName, "X.csproj");
        try
        {
            File.WriteAllText(project, "<Project><PropertyGroup><PodVmGuestLinks> podvm-b;podvm-a ;;podvm-c</PodVmGuestLinks></PropertyGroup></Project>");

            Assert.Equal(["podvm-a", "podvm-b", "podvm-c"], GuestProgramPublisher.Links(project));
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(project)!, recursive: true);
        }
    }

    [Fact]
    public void Links_NoProperty_Empty()
    {
        var project = Path.Combine(Directory.CreateTempSubdirectory("podvm-repo-").FullName, "X.csproj");
        try
        {
            File.WriteAllText(project, "<Project><PropertyGroup><OutputType>Exe</OutputType></PropertyGroup></Project>");

            Assert.Empty(GuestProgramPublisher.Links(project));
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(project)!, recursive: true);
        }
    }

    [Theory]
    [InlineData("../podvm-x")]
    [InlineData("bin/podvm-x")]
    [InlineData("..")]
    public void Links_NotAPlainFileName_Throws(string link)
    {
        var project = Path.Combine(Directory.CreateTempSubdirectory("podvm-repo-").FullName, "X.csproj");
        try
        {
            File.WriteAllText(project, $"<Project><PropertyGroup><PodVmGuestLinks>podvm-a;{link}</PodVmGuestLinks></PropertyGroup></Project>");

            var error = Assert.Throws<ImageBuildException>(() => GuestProgramPublisher.Links(project));
            Assert.Contains(link, error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(project)!, recursive: true);
        }
    }

    [Fact]
    public void Discover_ThisRepository_OneMultiCallBinaryWithEveryGuestProgramName()
    {
        var root = RepositoryLocator.Find(AppContext.BaseDirectory);
        Assert.NotNull(root);

        var found = new GuestProgramPublisher(root, Path.Combine(Path.GetTempPath(), "unused-cache"), _ => { }).Discover();

        var project = Assert.Single(found);
        Assert.Equal("guest-agent/PodVm.GuestMultiCall/PodVm.GuestMultiCall.csproj", Path.GetRelativePath(root, project));
        Assert.Equal(["podvm-attester", "podvm-config-processor", "podvm-forwarder", "podvm-guest-agent"], GuestProgramPublisher.Links(project));
        // OpenSSL is linked in, so the image carries no libssl/libcrypto and records the libssl-dev version instead.
        Assert.True(GuestProgramPublisher.LinksOpenSslStatically(project));
    }

    [Theory]
    [InlineData("<StaticOpenSslLinking>true</StaticOpenSslLinking>", true)]
    [InlineData("<StaticOpenSslLinking> True </StaticOpenSslLinking>", true)]
    [InlineData("<StaticOpenSslLinking>false</StaticOpenSslLinking>", false)]
    [InlineData("", false)]
    public void LinksOpenSslStatically_ReadsTheProjectsProperty(string property, bool expected)
    {
        var project = Path.Combine(Directory.CreateTempSubdirectory("podvm-publisher-").FullName, "P.csproj");
        try
        {
            File.WriteAllText(project, $"<Project><PropertyGroup><OutputType>Exe</OutputType>{property}</PropertyGroup></Project>");
            Assert.Equal(expected, GuestProgramPublisher.LinksOpenSslStatically(project));
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(project)!, recursive: true);
        }
    }
}
