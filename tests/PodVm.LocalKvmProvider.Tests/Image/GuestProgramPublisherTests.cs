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
}
