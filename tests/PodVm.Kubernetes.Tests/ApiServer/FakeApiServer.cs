using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using k8s;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace PodVm.Kubernetes.Tests.ApiServer;

/// <summary>
/// An in-process stand-in for the Kubernetes API server on 127.0.0.1:0, enough for the real KubernetesClient:
/// GET/LIST/POST/PUT/PATCH/DELETE for pods, events, nodes (+ /status) and peerpods; watch streams from a
/// resourceVersion; 409 on a stale resourceVersion in PUT; 409 AlreadyExists on POST; deletionTimestamp +
/// finalizers; owner-reference garbage collection when an owner is deleted; and 410 Gone for a watch from a
/// resourceVersion older than the retained history. Fault hooks let tests force conflicts, close watches and
/// compact the history.
/// </summary>
internal sealed class FakeApiServer : IAsyncDisposable
{
    private static readonly Dictionary<string, (string ApiVersion, string Kind, bool Namespaced)> Resources = new()
    {
        ["pods"] = ("v1", "Pod", true),
        ["events"] = ("v1", "Event", true),
        ["nodes"] = ("v1", "Node", false),
        ["peerpods"] = ("confidentialcontainers.org/v1alpha1", "PeerPod", true),
    };

    private readonly Lock _gate = new();
    private readonly Dictionary<(string Resource, string Ns, string Name), JsonObject> _objects = [];
    private readonly List<(long Rv, string Resource, string Type, JsonObject Object)> _history = [];
    private readonly List<string> _requests = [];
    private readonly Dictionary<string, int> _failNext = [];
    private WebApplication? _app;
    private long _resourceVersion = 100;
    private long _compactedThrough;
    private int _concurrentWritesBeforePut;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CancellationTokenSource _closeWatches = new();
    private readonly List<(int Count, TaskCompletionSource Done)> _watchWaiters = [];
    private TaskCompletionSource _watchGate = CompletedGate();

    public Uri BaseAddress { get; private set; } = null!;

    public int Conflicts { get; private set; }

    public int WatchRequests { get; private set; }

    public IReadOnlyList<string> Requests
    {
        get
        {
            lock (_gate)
            {
                return [.. _requests];
            }
        }
    }

    public static async Task<FakeApiServer> StartAsync()
    {
        var server = new FakeApiServer();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.Map("/{**path}", server.HandleAsync);
        await app.StartAsync();
        server._app = app;
        server.BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return server;
    }

    public IKubernetes CreateClient() => new k8s.Kubernetes(new KubernetesClientConfiguration { Host = BaseAddress.ToString() });

    public async ValueTask DisposeAsync()
    {
        await _closeWatches.CancelAsync();
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        _closeWatches.Dispose();
    }

    // ---- Test hooks ------------------------------------------------------------------------------------

    /// <summary>Stores an object directly (as if another client created it); returns the stored copy.</summary>
    public JsonObject Seed(string resource, JsonObject obj)
    {
        lock (_gate)
        {
            var (status, result) = Create(resource, (string?)obj["metadata"]?["namespace"] ?? "", obj);
            return status == 201 ? result : throw new InvalidOperationException(result.ToJsonString());
        }
    }

    public JsonObject? Get(string resource, string ns, string name)
    {
        lock (_gate)
        {
            return _objects.TryGetValue((resource, ns, name), out var obj) ? (JsonObject)obj.DeepClone() : null;
        }
    }

    public IReadOnlyList<JsonObject> List(string resource)
    {
        lock (_gate)
        {
            return [.. _objects.Where(o => o.Key.Resource == resource).Select(o => (JsonObject)o.Value.DeepClone())];
        }
    }

    /// <summary>Deletes an object as a user would (finalizers and owner GC apply).</summary>
    public void Delete(string resource, string ns, string name)
    {
        lock (_gate)
        {
            DeleteLocked(resource, ns, name);
        }
    }

    /// <summary>Before each of the next <paramref name="count"/> PUTs, another writer changes the object first.</summary>
    public void ConcurrentWritesBeforeNextPuts(int count)
    {
        lock (_gate)
        {
            _concurrentWritesBeforePut = count;
        }
    }

    /// <summary>The next <paramref name="count"/> requests whose "METHOD /path" starts with <paramref name="prefix"/> get 500 (or <paramref name="status"/>).</summary>
    public void FailNext(string prefix, int count, int status = 500)
    {
        lock (_gate)
        {
            _failNext[prefix + "|" + status.ToString(CultureInfo.InvariantCulture)] = count;
        }
    }

    /// <summary>Ends every open watch stream (as a timeout or a dropped connection would).</summary>
    public void CloseWatches()
    {
        CancellationTokenSource old;
        lock (_gate)
        {
            old = _closeWatches;
            _closeWatches = new CancellationTokenSource();
        }

        old.Cancel();
        old.Dispose();
    }

    /// <summary>New watch requests wait (unanswered) until <see cref="ReleaseWatches"/>.</summary>
    public void HoldWatches()
    {
        lock (_gate)
        {
            _watchGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    public void ReleaseWatches()
    {
        lock (_gate)
        {
            _watchGate.TrySetResult();
        }
    }

    private static TaskCompletionSource CompletedGate()
    {
        var gate = new TaskCompletionSource();
        gate.SetResult();
        return gate;
    }

    /// <summary>Forgets the watch history up to now: a watch from an older resourceVersion gets 410 Gone.</summary>
    public void CompactHistory()
    {
        lock (_gate)
        {
            _compactedThrough = _resourceVersion;
            _history.Clear();
        }
    }

    /// <summary>Completes once the server has received at least <paramref name="count"/> watch requests in total.</summary>
    public Task WaitForWatchRequestsAsync(int count)
    {
        lock (_gate)
        {
            if (WatchRequests >= count)
            {
                return Task.CompletedTask;
            }

            var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _watchWaiters.Add((count, tcs));
            return tcs.Task;
        }
    }

    /// <summary>Completes when <paramref name="predicate"/> holds for the store (checked after every change).</summary>
    public async Task WaitUntilAsync(Func<FakeApiServer, bool> predicate)
    {
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                changed = _changed.Task;
            }

            if (predicate(this))
            {
                return;
            }

            await changed;
        }
    }

    // ---- HTTP ---------------------------------------------------------------------------------------------

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var segments = request.Path.Value!.Trim('/').Split('/');
        var query = request.Query;
        int? injected = null;
        lock (_gate)
        {
            _requests.Add($"{request.Method} {request.Path}{request.QueryString}");
            foreach (var key in _failNext.Keys.ToList())
            {
                var parts = key.Split('|');
                if ($"{request.Method} {request.Path}".StartsWith(parts[0], StringComparison.Ordinal) && _failNext[key] > 0)
                {
                    _failNext[key]--;
                    injected = int.Parse(parts[1], CultureInfo.InvariantCulture);
                    break;
                }
            }
        }

        if (injected is int code)
        {
            await WriteAsync(context, code, StatusBody(code, code == 403 ? "Forbidden" : "InternalError", "injected failure"));
            return;
        }

        if (!TryRoute(segments, out var resource, out var ns, out var name, out var subresource))
        {
            await WriteAsync(context, 404, StatusBody(404, "NotFound", $"no route for {request.Path}"));
            return;
        }

        JsonObject? body = null;
        if (request.Method is "POST" or "PUT" or "PATCH")
        {
            body = (await JsonNode.ParseAsync(request.Body))?.AsObject();
        }

        if (request.Method == "GET" && name is null && query["watch"] == "true")
        {
            await WatchAsync(context, resource, ns, query["resourceVersion"].ToString(), query["labelSelector"].ToString(), query["timeoutSeconds"].ToString());
            return;
        }

        (int Status, JsonObject Body) result;
        lock (_gate)
        {
            result = (request.Method, name) switch
            {
                ("GET", null) => (200, ListLocked(resource, ns, query["labelSelector"].ToString())),
                ("GET", _) => _objects.TryGetValue((resource, ns ?? "", name), out var found)
                    ? (200, (JsonObject)found.DeepClone())
                    : (404, StatusBody(404, "NotFound", $"{resource} \"{name}\" not found")),
                ("POST", null) => Create(resource, ns ?? "", body!),
                ("PUT", string n) => Replace(resource, ns ?? "", n, body!),
                ("PATCH", string n) => Patch(resource, ns ?? "", n, subresource, request.ContentType ?? "", body!),
                ("DELETE", string n) => DeleteLocked(resource, ns ?? "", n),
                _ => (405, StatusBody(405, "MethodNotAllowed", request.Method)),
            };
        }

        await WriteAsync(context, result.Status, result.Body);
    }

    private static bool TryRoute(string[] s, out string resource, out string? ns, out string? name, out string? subresource)
    {
        resource = "";
        ns = null;
        name = null;
        subresource = null;
        int rest;
        if (s.Length >= 2 && s[0] == "api" && s[1] == "v1")
        {
            rest = 2;
        }
        else if (s.Length >= 3 && s[0] == "apis" && s[1] == "confidentialcontainers.org" && s[2] == "v1alpha1")
        {
            rest = 3;
        }
        else
        {
            return false;
        }

        if (s.Length > rest + 1 && s[rest] == "namespaces" && s.Length > rest + 2)
        {
            ns = s[rest + 1];
            rest += 2;
        }

        if (s.Length <= rest || !Resources.ContainsKey(s[rest]))
        {
            return false;
        }

        resource = s[rest];
        name = s.Length > rest + 1 ? s[rest + 1] : null;
        subresource = s.Length > rest + 2 ? s[rest + 2] : null;
        return true;
    }

    private JsonObject ListLocked(string resource, string? ns, string labelSelector)
    {
        var (apiVersion, kind, _) = Resources[resource];
        var items = _objects.Where(o => o.Key.Resource == resource && (ns is null || o.Key.Ns == ns) && Matches(o.Value, labelSelector))
            .OrderBy(o => o.Key.Ns, StringComparer.Ordinal).ThenBy(o => o.Key.Name, StringComparer.Ordinal)
            .Select(o => o.Value.DeepClone()).ToArray();
        return new JsonObject
        {
            ["apiVersion"] = apiVersion,
            ["kind"] = kind + "List",
            ["metadata"] = new JsonObject { ["resourceVersion"] = Rv(_resourceVersion) },
            ["items"] = new JsonArray(items),
        };
    }

    private (int, JsonObject) Create(string resource, string ns, JsonObject body)
    {
        var metadata = body["metadata"] as JsonObject ?? new JsonObject();
        body["metadata"] = metadata;
        var name = (string?)metadata["name"];
        if (string.IsNullOrEmpty(name))
        {
            return (422, StatusBody(422, "Invalid", "metadata.name is required"));
        }

        if (Resources[resource].Namespaced)
        {
            metadata["namespace"] = ns;
        }
        else
        {
            ns = "";
        }

        if (_objects.ContainsKey((resource, ns, name)))
        {
            return (409, StatusBody(409, "AlreadyExists", $"{resource} \"{name}\" already exists"));
        }

        metadata["uid"] ??= Guid.NewGuid().ToString();
        metadata["creationTimestamp"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        metadata.Remove("deletionTimestamp");
        Commit(resource, ns, name, body, "ADDED");
        return (201, (JsonObject)body.DeepClone());
    }

    private (int, JsonObject) Replace(string resource, string ns, string name, JsonObject body)
    {
        if (!_objects.TryGetValue((resource, ns, name), out var current))
        {
            return (404, StatusBody(404, "NotFound", $"{resource} \"{name}\" not found"));
        }

        if (_concurrentWritesBeforePut > 0)
        {
            _concurrentWritesBeforePut--;
            var touched = (JsonObject)current.DeepClone();
            var annotations = touched["metadata"]!["annotations"] as JsonObject ?? new JsonObject();
            touched["metadata"]!["annotations"] = annotations;
            annotations["test.podvm.io/other-writer"] = Rv(_resourceVersion);
            Commit(resource, ns, name, touched, "MODIFIED");
            current = touched;
        }

        var sent = (string?)body["metadata"]?["resourceVersion"];
        if (sent is not null && sent != (string?)current["metadata"]!["resourceVersion"])
        {
            Conflicts++;
            return (409, StatusBody(409, "Conflict",
                $"Operation cannot be fulfilled on {resource} \"{name}\": the object has been modified; please apply your changes to the latest version and try again"));
        }

        // Identity and deletion state are the server's, not the client's.
        var metadata = body["metadata"]!.AsObject();
        foreach (var key in new[] { "uid", "creationTimestamp", "deletionTimestamp", "namespace" })
        {
            metadata.Remove(key);
            if (current["metadata"]![key] is JsonNode value)
            {
                metadata[key] = value.DeepClone();
            }
        }

        return FinishUpdate(resource, ns, name, body);
    }

    private (int, JsonObject) Patch(string resource, string ns, string name, string? subresource, string contentType, JsonObject body)
    {
        if (!_objects.TryGetValue((resource, ns, name), out var current))
        {
            return (404, StatusBody(404, "NotFound", $"{resource} \"{name}\" not found"));
        }

        if (!contentType.StartsWith("application/merge-patch+json", StringComparison.Ordinal))
        {
            return (415, StatusBody(415, "UnsupportedMediaType", contentType));
        }

        var patched = (JsonObject)current.DeepClone();
        if (subresource == "status")
        {
            // A status patch changes only the status.
            body = new JsonObject { ["status"] = body["status"]?.DeepClone() };
        }

        MergePatch(patched, body);
        return FinishUpdate(resource, ns, name, patched);
    }

    private (int, JsonObject) FinishUpdate(string resource, string ns, string name, JsonObject updated)
    {
        var metadata = updated["metadata"]!.AsObject();
        if (metadata["deletionTimestamp"] is not null && (metadata["finalizers"] as JsonArray)?.Count is null or 0)
        {
            _objects.Remove((resource, ns, name));
            Commit(resource, ns, name, updated, "DELETED", store: false);
            CollectDependents((string)metadata["uid"]!);
            return (200, (JsonObject)updated.DeepClone());
        }

        Commit(resource, ns, name, updated, "MODIFIED");
        return (200, (JsonObject)updated.DeepClone());
    }

    private (int, JsonObject) DeleteLocked(string resource, string ns, string name)
    {
        if (!_objects.TryGetValue((resource, ns, name), out var current))
        {
            return (404, StatusBody(404, "NotFound", $"{resource} \"{name}\" not found"));
        }

        var metadata = current["metadata"]!.AsObject();
        if ((metadata["finalizers"] as JsonArray)?.Count > 0)
        {
            if (metadata["deletionTimestamp"] is null)
            {
                var deleting = (JsonObject)current.DeepClone();
                deleting["metadata"]!["deletionTimestamp"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
                Commit(resource, ns, name, deleting, "MODIFIED");
                return (200, (JsonObject)deleting.DeepClone());
            }

            return (200, (JsonObject)current.DeepClone());
        }

        _objects.Remove((resource, ns, name));
        Commit(resource, ns, name, current, "DELETED", store: false);
        CollectDependents((string)metadata["uid"]!);
        return (200, (JsonObject)current.DeepClone());
    }

    /// <summary>The garbage collector: objects owned by a deleted uid are deleted (background propagation).</summary>
    private void CollectDependents(string ownerUid)
    {
        var dependents = _objects.Where(o => (o.Value["metadata"]!["ownerReferences"] as JsonArray)?
            .Any(r => (string?)r!["uid"] == ownerUid) == true).Select(o => o.Key).ToList();
        foreach (var (resource, ns, name) in dependents)
        {
            DeleteLocked(resource, ns, name);
        }
    }

    private void Commit(string resource, string ns, string name, JsonObject obj, string type, bool store = true)
    {
        _resourceVersion++;
        var (apiVersion, kind, _) = Resources[resource];
        obj["apiVersion"] ??= apiVersion;
        obj["kind"] ??= kind;
        obj["metadata"]!["resourceVersion"] = Rv(_resourceVersion);
        if (store)
        {
            _objects[(resource, ns, name)] = obj;
        }

        _history.Add((_resourceVersion, resource, type, (JsonObject)obj.DeepClone()));
        var changed = _changed;
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        changed.SetResult();
    }

    private async Task WatchAsync(HttpContext context, string resource, string? ns, string resourceVersion, string labelSelector, string timeoutSeconds)
    {
        Task held;
        lock (_gate)
        {
            held = _watchGate.Task;
        }

        await held.WaitAsync(context.RequestAborted);
        CancellationToken closed;
        long from;
        lock (_gate)
        {
            WatchRequests++;
            foreach (var waiter in _watchWaiters.Where(w => w.Count <= WatchRequests).ToList())
            {
                _watchWaiters.Remove(waiter);
                waiter.Done.SetResult();
            }

            closed = _closeWatches.Token;
            from = long.TryParse(resourceVersion, CultureInfo.InvariantCulture, out var rv) ? rv : _resourceVersion;
        }

        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        await context.Response.Body.FlushAsync();
        using var timeout = new CancellationTokenSource(int.TryParse(timeoutSeconds, CultureInfo.InvariantCulture, out var seconds) && seconds > 0
            ? TimeSpan.FromSeconds(seconds) : Timeout.InfiniteTimeSpan);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(closed, timeout.Token, context.RequestAborted);
        try
        {
            while (!stop.IsCancellationRequested)
            {
                List<(string Type, JsonObject Object)> batch;
                Task changed;
                JsonObject? gone = null;
                lock (_gate)
                {
                    if (from < _compactedThrough)
                    {
                        gone = new JsonObject { ["type"] = "ERROR", ["object"] = StatusBody(410, "Expired", $"too old resource version: {from} ({_compactedThrough})") };
                    }

                    batch = [.. _history.Where(h => h.Rv > from && h.Resource == resource
                            && (ns is null || (string?)h.Object["metadata"]!["namespace"] == ns) && Matches(h.Object, labelSelector))
                        .Select(h => (h.Type, (JsonObject)h.Object.DeepClone()))];
                    from = _resourceVersion;
                    changed = _changed.Task;
                }

                if (gone is not null)
                {
                    await context.Response.WriteAsync(gone.ToJsonString() + "\n", Encoding.UTF8, stop.Token);
                    return;
                }

                foreach (var (type, obj) in batch)
                {
                    var line = new JsonObject { ["type"] = type, ["object"] = obj };
                    await context.Response.WriteAsync(line.ToJsonString() + "\n", Encoding.UTF8, stop.Token);
                }

                await context.Response.Body.FlushAsync(stop.Token);
                await changed.WaitAsync(stop.Token);
            }
        }
        catch (OperationCanceledException)
        {
            // Watch closed: timeout, CloseWatches(), or the client went away.
        }
    }

    private static bool Matches(JsonObject obj, string labelSelector)
    {
        if (string.IsNullOrEmpty(labelSelector))
        {
            return true;
        }

        var labels = obj["metadata"]?["labels"] as JsonObject;
        return labelSelector.Split(',').All(term =>
        {
            var kv = term.Split('=', 2);
            return labels?[kv[0]] is JsonNode value && (string?)value == kv[1];
        });
    }

    private static void MergePatch(JsonObject target, JsonObject patch)
    {
        foreach (var (key, value) in patch)
        {
            if (value is null)
            {
                target.Remove(key);
            }
            else if (value is JsonObject child && target[key] is JsonObject existing)
            {
                MergePatch(existing, child);
            }
            else
            {
                target[key] = value is JsonObject obj ? Stripped(obj) : value.DeepClone();
            }
        }
    }

    private static JsonObject Stripped(JsonObject obj)
    {
        var result = new JsonObject();
        MergePatch(result, obj);
        return result;
    }

    private static JsonObject StatusBody(int code, string reason, string message) => new()
    {
        ["kind"] = "Status",
        ["apiVersion"] = "v1",
        ["metadata"] = new JsonObject(),
        ["status"] = "Failure",
        ["message"] = message,
        ["reason"] = reason,
        ["code"] = code,
    };

    private static string Rv(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static async Task WriteAsync(HttpContext context, int status, JsonObject body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body.ToJsonString());
    }
}
