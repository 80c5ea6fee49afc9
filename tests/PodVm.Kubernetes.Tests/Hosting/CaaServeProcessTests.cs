using System.Diagnostics;
using System.Globalization;
using System.Text;
using Grpc.Core;
using PodVm.Kubernetes.PeerPods;
using PodVm.Kubernetes.Tests.ApiServer;
using PodVm.Protocols.Hypervisor;
using PodVm.Protocols.Ttrpc;
using HypervisorClient = PodVm.Protocols.Hypervisor.Hypervisor.HypervisorClient;

namespace PodVm.Kubernetes.Tests.Hosting;

/// <summary>
/// <c>podvm caa serve --provider local</c> as a process (the CLI's build output, run with <c>dotnet podvm.dll</c>)
/// with <c>Kubernetes:Enabled</c> and a kubeconfig file naming the FakeApiServer: it advertises the node's capacity,
/// a StartVM that fails (no pod VM image) posts an Event on the pod, and SIGTERM withdraws the capacity.
/// No VM boots: the image directory is empty.
/// </summary>
public sealed class CaaServeProcessTests : IAsyncLifetime
{
    private const string Node = "node-p";
    private static readonly TimeSpan ProcessDeadline = TimeSpan.FromSeconds(90);
    private readonly string _root = Directory.CreateTempSubdirectory("kube-caa-").FullName;
    private readonly StringBuilder _log = new();
    private FakeApiServer _server = null!;
    private Process? _process;

    /// <summary>
    /// The CLI in its own output directory (built through the ProjectReference): this test project shares the
    /// ASP.NET Core framework, so the package assemblies the CLI's deps.json names are not copied beside the tests.
    /// </summary>
    private static string CliDll
    {
        get
        {
            var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            var configuration = testOutput.Parent!.Name;
            return Path.Combine(RepoPaths.RepoRoot, "cli", "PodVm.Cli", "bin", configuration, testOutput.Name, "podvm.dll");
        }
    }

    private string Socket => Path.Combine(_root, "hv.sock");

    public async ValueTask InitializeAsync() => _server = await FakeApiServer.StartAsync().DefaultTimeout();

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill();
            await _process.WaitForExitAsync().WithTimeout(ProcessDeadline);
        }

        _process?.Dispose();
        await _server.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task CaaServe_KubernetesEnabled_AdvertisesCapacity_PostsStartFailureEvent_WithdrawsOnSigterm()
    {
        // The local provider only starts where QEMU is installed (it checks at start-up); no VM is booted here.
        Requires.Tool("qemu-system-x86_64", "qemu-system-x86");
        Assert.True(File.Exists(CliDll), $"the CLI is not built: {CliDll}");
        _server.Seed("nodes", Objects.Node(Node));
        var pod = _server.Seed("pods", Objects.Pod("default", "web"));
        Start(new Dictionary<string, string>
        {
            ["PODVM_Adaptor__MaxPods"] = "3",
            ["PODVM_Kubernetes__Enabled"] = "true",
            ["PODVM_Kubernetes__NodeName"] = Node,
            ["PODVM_Kubernetes__Kubeconfig"] = Kubeconfig.Write(_root, _server.BaseAddress),
        });

        await UntilAsync(() => Capacity() == "3", "the node's capacity advertised");
        await HypervisorAsync(c => c.CreateVMAsync(CreateVm("sbx9abcd0000", "web")).ResponseAsync);
        var error = await Assert.ThrowsAsync<RpcException>(() => HypervisorAsync(c => c.StartVMAsync(new StartVMRequest { Id = "sbx9abcd0000" }).ResponseAsync));
        await UntilAsync(() => _server.List("events").Any(e => (string?)e["reason"] == "PodVmImageNotFound"), "the PodVmImageNotFound Event");
        await Signal("TERM");
        await _process!.WaitForExitAsync().WithTimeout(ProcessDeadline);

        Assert.Contains("no pod VM image", error.Status.Detail, StringComparison.Ordinal);
        var evt = Assert.Single(_server.List("events"));
        Assert.Equal("web", (string?)evt["involvedObject"]!["name"]);
        Assert.Equal((string?)pod["metadata"]!["uid"], (string?)evt["involvedObject"]!["uid"]);
        Assert.Empty(_server.List("peerpods"));
        Assert.True(_process.ExitCode == 0, $"exit code {_process.ExitCode}:\n{Log}");
        Assert.Null(Capacity());
    }

    [Fact]
    public async Task CaaServe_KubernetesEnabledWithMismatchedNodeNames_ExitsNamingBothSettings()
    {
        Assert.True(File.Exists(CliDll), $"the CLI is not built: {CliDll}");
        Start(new Dictionary<string, string>
        {
            ["PODVM_Kubernetes__Enabled"] = "true",
            ["PODVM_Kubernetes__NodeName"] = "another-node",
            ["PODVM_Kubernetes__Kubeconfig"] = Kubeconfig.Write(_root, _server.BaseAddress),
        });

        await _process!.WaitForExitAsync().WithTimeout(ProcessDeadline);

        Assert.Equal(2, _process.ExitCode);
        Assert.Contains("Kubernetes:NodeName 'another-node' differs from Adaptor:NodeName 'node-p'", Log, StringComparison.Ordinal);
        Assert.DoesNotContain(_server.Requests, r => r.Contains("/nodes/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task CaaServe_UnparseableKubernetesSetting_ExitsWithOneLineNamingIt()
    {
        Assert.True(File.Exists(CliDll), $"the CLI is not built: {CliDll}");
        Start(new Dictionary<string, string> { ["PODVM_Kubernetes__Enabled"] = "yes" });

        await _process!.WaitForExitAsync().WithTimeout(ProcessDeadline);

        Assert.True(_process.ExitCode == 2, $"exit code {_process.ExitCode}:\n{Log}");
        Assert.Contains("invalid configuration: Kubernetes:Enabled: 'yes' is not true or false.", Log, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", Log, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", Log, StringComparison.Ordinal);
    }

    private string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    private string? Capacity() => (string?)_server.Get("nodes", "", Node)?["status"]?["capacity"]?[PeerPodNames.ExtendedResource];

    private void Start(Dictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { CliDll, "caa", "serve", "--provider", "local", "--socket", Socket, "--state-dir", Path.Combine(_root, "state"), "--pods-dir", Path.Combine(_root, "pods") })
        {
            start.ArgumentList.Add(arg);
        }

        var images = Directory.CreateDirectory(Path.Combine(_root, "no-image")).FullName;
        var env = start.Environment;
        env["PODVM_Adaptor__ClusterName"] = "c1";
        env["PODVM_Adaptor__NodeName"] = Node;
        env["PODVM_Adaptor__MetricsUrl"] = "http://127.0.0.1:0";
        env["PODVM_Adaptor__ReconcileInterval"] = "00:00:00";
        env["PODVM_LocalKvm__StateDirectory"] = Path.Combine(_root, "vms");
        env["PODVM_LocalKvm__LogDirectory"] = Path.Combine(_root, "logs");
        env["PODVM_LocalKvm__ImageDirectory"] = images;
        env["PODVM_Kubernetes__SweepInterval"] = "00:00:00";
        env["Logging__Console__FormatterOptions__ColorBehavior"] = "Disabled";
        env["DOTNET_NOLOGO"] = "1";
        foreach (var (key, value) in environment)
        {
            env[key] = value;
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException("could not start dotnet");
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_log)
            {
                _log.AppendLine(line);
            }
        }
    }

    /// <summary>Waits for the store to satisfy <paramref name="condition"/>, failing early with the log if the adaptor exits.</summary>
    private async Task UntilAsync(Func<bool> condition, string what)
    {
        var reached = _server.WaitUntilAsync(_ => condition());
        var first = await Task.WhenAny(reached, _process!.WaitForExitAsync()).WithTimeout(ProcessDeadline);
        if (first != reached)
        {
            Assert.Fail($"podvm caa serve exited ({_process.ExitCode}) before {what}:\n{Log}");
        }

        await reached;
    }

    private async Task<T> HypervisorAsync<T>(Func<HypervisorClient, Task<T>> call)
    {
        await using var connection = await TtrpcClient.ConnectAsync(TtrpcEndpoint.Unix(Socket)).DefaultTimeout();
        return await call(new HypervisorClient(connection.CreateCallInvoker())).WithTimeout(ProcessDeadline);
    }

    private static CreateVMRequest CreateVm(string sandboxId, string pod)
    {
        var request = new CreateVMRequest { Id = sandboxId, NetworkNamespacePath = string.Empty };
        request.Annotations["io.kubernetes.cri.sandbox-name"] = pod;
        request.Annotations["io.kubernetes.cri.sandbox-namespace"] = "default";
        foreach (var key in new[] { "machine_type", "image", "default_vcpus", "default_memory", "cc_init_data", "default_gpus", "default_gpu_model" })
        {
            request.Annotations["io.katacontainers.config.hypervisor." + key] = string.Empty;
        }

        return request;
    }

    private async Task Signal(string signal)
    {
        using var kill = Process.Start("kill", ["-" + signal, _process!.Id.ToString(CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync().DefaultTimeout();
    }
}
