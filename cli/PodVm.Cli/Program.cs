using System.CommandLine;
using PodVm.Cli.Commands;

// Each area contributes one top-level command; the command classes live in Commands/.
var root = new RootCommand("PodVm: confidential peer pods. Every pod runs in a VM of its own, locally under QEMU or as an AWS or Azure instance.")
{
    VersionCommand.Create(),
    AttestCommand.Create(),
    KbsCommand.Create(),
    RunCommand.Create(),
    CaaCommand.Create(),
    TtrpcCommand.Create(),
    ImageCommand.Create(),
    VmCommand.Create(),
    BenchCommand.Create(),
    WebhookCommand.Create(),
};

return await root.Parse(args).InvokeAsync();
