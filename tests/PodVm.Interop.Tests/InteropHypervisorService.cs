using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Grpc.Core;
using PodVm.Protocols.Hypervisor;

namespace PodVm.Interop.Tests;

/// <summary>
/// Our side's hypervisor.Hypervisor for the Go client to call. It behaves exactly like the Go peer's service
/// (tests/interop/go/ttrpc-peer/service.go), so the same expectations hold in both directions.
/// </summary>
internal sealed class InteropHypervisorService : Hypervisor.HypervisorBase
{
    private readonly ConcurrentDictionary<string, Sandbox> _sandboxes = new(StringComparer.Ordinal);

    /// <summary>Completes when a "sleep:" call is cancelled by its deadline on the server side.</summary>
    public TaskCompletionSource SleepCancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when a "sleep:" call reaches its handler.</summary>
    public TaskCompletionSource SleepStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public override async Task<VersionResponse> Version(VersionRequest request, ServerCallContext context)
    {
        var v = request.Version;
        if (v.StartsWith("sleep:", StringComparison.Ordinal))
        {
            var ms = int.Parse(v["sleep:".Length..], CultureInfo.InvariantCulture);
            SleepStarted.TrySetResult();
            try
            {
                await Task.Delay(ms, context.CancellationToken);
            }
            catch (OperationCanceledException)
            {
                SleepCancelled.TrySetResult();
                throw new RpcException(new Status(StatusCode.DeadlineExceeded, "context deadline exceeded"));
            }

            return new VersionResponse { Version = $"slept:{ms}" };
        }

        if (v == "deadline")
        {
            return new VersionResponse
            {
                Version = context.Deadline == DateTime.MaxValue
                    ? "deadline:none"
                    : $"deadline:{(long)(context.Deadline - DateTime.UtcNow).TotalMilliseconds}",
            };
        }

        if (v.StartsWith("metadata:", StringComparison.Ordinal))
        {
            var key = v["metadata:".Length..];
            var values = context.RequestHeaders.Where(e => string.Equals(e.Key, key, StringComparison.OrdinalIgnoreCase)).Select(e => e.Value);
            return new VersionResponse { Version = "metadata:" + string.Join(",", values) };
        }

        if (v.StartsWith("error:", StringComparison.Ordinal))
        {
            var parts = v.Split(':', 3);
            throw new RpcException(new Status((StatusCode)int.Parse(parts[1], CultureInfo.InvariantCulture), parts[2]));
        }

        if (v.StartsWith("sandbox:", StringComparison.Ordinal))
        {
            var id = v["sandbox:".Length..];
            if (!_sandboxes.TryGetValue(id, out var sandbox))
            {
                throw NotFound(id);
            }

            return new VersionResponse { Version = JsonSerializer.Serialize(sandbox) };
        }

        return new VersionResponse { Version = v };
    }

    public override Task<CreateVMResponse> CreateVM(CreateVMRequest request, ServerCallContext context)
    {
        if (request.Id.Length == 0)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "id is required"));
        }

        var sandbox = new Sandbox(new SortedDictionary<string, string>(request.Annotations, StringComparer.Ordinal), request.NetworkNamespacePath);
        if (!_sandboxes.TryAdd(request.Id, sandbox))
        {
            throw new RpcException(new Status(StatusCode.AlreadyExists, $"sandbox {request.Id} already exists"));
        }

        return Task.FromResult(new CreateVMResponse { AgentSocketPath = $"/run/peerpod/pods/{request.Id}/agent.ttrpc" });
    }

    public override Task<StartVMResponse> StartVM(StartVMRequest request, ServerCallContext context)
    {
        if (!_sandboxes.TryGetValue(request.Id, out var sandbox))
        {
            throw NotFound(request.Id);
        }

        sandbox.Started = true;
        return Task.FromResult(new StartVMResponse());
    }

    public override Task<StopVMResponse> StopVM(StopVMRequest request, ServerCallContext context) =>
        _sandboxes.TryRemove(request.Id, out _)
            ? Task.FromResult(new StopVMResponse())
            : throw NotFound(request.Id);

    private static RpcException NotFound(string id) => new(new Status(StatusCode.NotFound, $"sandbox {id} does not exist"));

    /// <summary>What CreateVM recorded; serialised with the same field names as the Go peer's JSON.</summary>
    private sealed class Sandbox(IDictionary<string, string> annotations, string networkNamespacePath)
    {
        [System.Text.Json.Serialization.JsonPropertyName("annotations")]
        public IDictionary<string, string> Annotations { get; } = annotations;

        [System.Text.Json.Serialization.JsonPropertyName("networkNamespacePath")]
        public string NetworkNamespacePath { get; } = networkNamespacePath;

        [System.Text.Json.Serialization.JsonPropertyName("started")]
        public bool Started { get; set; }
    }
}
