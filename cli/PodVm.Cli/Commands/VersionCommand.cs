using System.CommandLine;
using System.Reflection;

namespace PodVm.Cli.Commands;

/// <summary><c>podvm version</c>: the version of this build and of the runtime.</summary>
internal static class VersionCommand
{
    public static Command Create()
    {
        var command = new Command("version", "Print the PodVm version and the .NET runtime it runs on.");
        command.SetAction(parseResult =>
        {
            var version = typeof(VersionCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
            parseResult.InvocationConfiguration.Output.WriteLine($"podvm {version} (.NET {Environment.Version})");
            return 0;
        });
        return command;
    }
}
