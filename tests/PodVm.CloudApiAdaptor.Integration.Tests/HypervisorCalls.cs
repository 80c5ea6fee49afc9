using PodVm.Protocols.Hypervisor;
using PodVm.Protocols.Ttrpc;
using HypervisorClient = PodVm.Protocols.Hypervisor.Hypervisor.HypervisorClient;

namespace PodVm.CloudApiAdaptor.Integration.Tests;

/// <summary>hypervisor.Hypervisor calls as the shim makes them: a new connection for every call, all nine annotations.</summary>
internal static class HypervisorCalls
{
    private const string Prefix = "io.katacontainers.config.hypervisor.";

    public static Task<string> CreateVmAsync(string socket, string sandboxId, string podName) =>
        CallAsync(socket, async c =>
        {
            var request = new CreateVMRequest { Id = sandboxId, NetworkNamespacePath = string.Empty };
            request.Annotations["io.kubernetes.cri.sandbox-name"] = podName;
            request.Annotations["io.kubernetes.cri.sandbox-namespace"] = "default";
            request.Annotations[Prefix + "machine_type"] = string.Empty;
            request.Annotations[Prefix + "image"] = string.Empty;
            request.Annotations[Prefix + "default_vcpus"] = "1";
            request.Annotations[Prefix + "default_memory"] = "256";
            request.Annotations[Prefix + "cc_init_data"] = string.Empty;
            request.Annotations[Prefix + "default_gpus"] = "0";
            request.Annotations[Prefix + "default_gpu_model"] = string.Empty;
            return (await c.CreateVMAsync(request, deadline: DateTime.UtcNow.AddMinutes(1))).AgentSocketPath;
        });

    /// <summary>StartVM with the shim's long deadline; boots under TCG on a loaded 2-core machine take 30-60 s.</summary>
    public static Task StartVmAsync(string socket, string sandboxId) =>
        CallAsync(socket, async c => await c.StartVMAsync(new StartVMRequest { Id = sandboxId }, deadline: DateTime.UtcNow.AddMinutes(5)));

    public static Task StopVmAsync(string socket, string sandboxId) =>
        CallAsync(socket, async c => await c.StopVMAsync(new StopVMRequest { Id = sandboxId }, deadline: DateTime.UtcNow.AddMinutes(2)));

    private static async Task<T> CallAsync<T>(string socket, Func<HypervisorClient, Task<T>> call)
    {
        await using var connection = await TtrpcClient.ConnectAsync(TtrpcEndpoint.Unix(socket)).DefaultTimeout();
        return await call(new HypervisorClient(connection.CreateCallInvoker())).WithTimeout(TimeSpan.FromMinutes(6));
    }
}
