using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace PodVm.Providers.Fakes.Arm;

/// <summary>
/// A wire-level fake of Azure Resource Manager on https://127.0.0.1 (a self-signed certificate that the test pins):
/// Microsoft.Compute/virtualMachines (PUT, GET, instanceView, list, DELETE) and Microsoft.Network/networkInterfaces
/// (PUT, GET, DELETE), each long-running operation answered 201/202 with Azure-AsyncOperation (and Location for
/// DELETE) and completed after <see cref="PollsUntilDone"/> polls. Requests are checked against the REST reference
/// (api-version, bearer token, required properties, tag rules, custom data encoding, confidential VM rules) and
/// against what PodVm promises (NIC and disk deleted with the VM); violations go to <see cref="Violations"/>.
/// </summary>
public sealed partial class FakeArmServer : IAsyncDisposable
{
    public const string SubscriptionId = "00000000-0000-0000-0000-00000000c0de";
    public const string ResourceGroup = "podvm-rg";
    public const string Location = "westeurope";
    public const string AccessToken = "fake-arm-access-token";
    public const int MaxCustomDataBytes = 65535;

    public static readonly string DefaultSubnetId =
        $"/subscriptions/{SubscriptionId}/resourceGroups/net-rg/providers/Microsoft.Network/virtualNetworks/podvm-vnet/subnets/pods";

    public static readonly string DefaultImageId =
        $"/subscriptions/{SubscriptionId}/resourceGroups/images-rg/providers/Microsoft.Compute/galleries/podvm/images/podvm-cvm/versions/1.0.0";

    /// <summary>api-versions the real RPs serve for the types used (a subset of each RP's published list).</summary>
    private static readonly Dictionary<string, HashSet<string>> ApiVersions = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Microsoft.Compute"] = new(StringComparer.Ordinal)
        {
            "2022-08-01", "2022-11-01", "2023-03-01", "2023-07-01", "2023-09-01", "2024-03-01", "2024-07-01",
        },
        ["Microsoft.Network"] = new(StringComparer.Ordinal)
        {
            "2023-04-01", "2023-05-01", "2023-06-01", "2023-09-01", "2023-11-01", "2024-01-01", "2024-03-01", "2024-05-01",
        },
    };

    private static readonly SearchValues<char> ForbiddenTagNameCharacters = SearchValues.Create("<>%&\\?/");

    private readonly WebApplication _app;
    private readonly object _lock = new();
    private readonly Dictionary<string, FakeArmResource> _resources = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, Operation> _operations = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConcurrentQueue<ArmFault>> _faults = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _requestCounts = new(StringComparer.Ordinal);
    private int _nextAddress;

    private FakeArmServer(WebApplication app, X509Certificate2 certificate)
    {
        _app = app;
        Certificate = certificate;
    }

    public Uri Endpoint { get; private set; } = null!;

    public X509Certificate2 Certificate { get; }

    public FakeViolations Violations { get; } = new();

    /// <summary>Polls of an operation's status that answer InProgress before it completes.</summary>
    public int PollsUntilDone { get; set; } = 1;

    /// <summary>Retry-After (seconds) on operation status answers; null = header omitted.</summary>
    public int? OperationRetryAfterSeconds { get; set; }

    public int PageSize { get; set; } = 100;

    public ISet<string> KnownSubnets { get; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { DefaultSubnetId };

    public ISet<string> KnownImages { get; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { DefaultImageId };

    /// <summary>VM sizes without capacity: the create operation ends Failed with AllocationFailed (the VM stays, Failed).</summary>
    public ISet<string> SizesWithoutCapacity { get; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>When set, every VM create operation ends Failed with this code (e.g. "OSProvisioningTimedOut").</summary>
    public string? FailVmCreatesWith { get; set; }

    public static async Task<FakeArmServer> StartAsync()
    {
        var certificate = CreateCertificate();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(certificate)));
        var app = builder.Build();
        var server = new FakeArmServer(app, certificate);
        app.Map("/{**path}", server.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.Endpoint = new Uri(address.TrimEnd('/') + "/");
        return server;
    }

    /// <summary>An HTTP handler that trusts exactly this server's certificate (and nothing else).</summary>
    public HttpMessageHandler CreatePinnedHandler()
    {
        var thumbprint = Certificate.GetCertHashString(HashAlgorithmName.SHA256);
        return new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, certificate, _, _) =>
                certificate is not null && certificate.GetCertHashString(HashAlgorithmName.SHA256) == thumbprint,
        };
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Certificate.Dispose();
    }

    /// <summary>Queues a fault for requests "METHOD kind" where kind is virtualMachines, networkInterfaces, instanceView, virtualMachineList, operations.</summary>
    public void EnqueueFault(string methodAndKind, ArmFault fault, int times = 1)
    {
        var queue = _faults.GetOrAdd(methodAndKind, _ => new ConcurrentQueue<ArmFault>());
        for (var i = 0; i < times; i++)
        {
            queue.Enqueue(fault);
        }
    }

    public int RequestCount(string methodAndKind) => _requestCounts.GetValueOrDefault(methodAndKind);

    public IReadOnlyList<FakeArmResource> Resources(string type)
    {
        lock (_lock)
        {
            return _resources.Values.Where(r => string.Equals(r.Type, type, StringComparison.OrdinalIgnoreCase)).ToList();
        }
    }

    public IReadOnlyList<FakeArmResource> VirtualMachines => Resources("Microsoft.Compute/virtualMachines");

    public IReadOnlyList<FakeArmResource> NetworkInterfaces => Resources("Microsoft.Network/networkInterfaces");

    public IReadOnlyList<FakeArmResource> Disks => Resources("Microsoft.Compute/disks");

    /// <summary>Every resource the fake holds (a leak when a test expects none).</summary>
    public int ResourceCount
    {
        get
        {
            lock (_lock)
            {
                return _resources.Count;
            }
        }
    }

    /// <summary>Adds a running VM (with NIC and disk) as if another process had created it.</summary>
    public string AddVirtualMachine(string name, IReadOnlyDictionary<string, string> tags)
    {
        lock (_lock)
        {
            var vmId = ResourceId("Microsoft.Compute/virtualMachines", name);
            var nic = AddResource("Microsoft.Network/networkInterfaces", name + "-nic", new JsonObject
            {
                ["location"] = Location,
                ["properties"] = new JsonObject { ["ipConfigurations"] = new JsonArray(IpConfiguration("ipconfig1", DefaultSubnetId, NextAddress())) },
            });
            nic.ProvisioningState = "Succeeded";
            nic.AttachedTo = vmId;
            var tagObject = new JsonObject();
            foreach (var (key, value) in tags)
            {
                tagObject[key] = value;
            }

            var vm = AddResource("Microsoft.Compute/virtualMachines", name, new JsonObject
            {
                ["location"] = Location,
                ["tags"] = tagObject,
                ["properties"] = new JsonObject
                {
                    ["hardwareProfile"] = new JsonObject { ["vmSize"] = "Standard_DC2as_v5" },
                    ["networkProfile"] = new JsonObject
                    {
                        ["networkInterfaces"] = new JsonArray(new JsonObject
                        {
                            ["id"] = nic.Id,
                            ["properties"] = new JsonObject { ["primary"] = true, ["deleteOption"] = "Delete" },
                        }),
                    },
                },
            });
            vm.ProvisioningState = "Succeeded";
            vm.DeleteWithVm.Add(nic.Id);
            return vm.Name;
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var segments = (request.Path.Value ?? string.Empty).Trim('/').Split('/');
        var route = Route.Parse(segments);
        var key = $"{request.Method} {route.Kind}";
        _requestCounts.AddOrUpdate(key, 1, (_, n) => n + 1);

        if (route.Kind == "unknown")
        {
            Violations.Add($"{request.Method} {request.Path}: not an ARM path PodVm should call");
            await WriteErrorAsync(context, 404, "InvalidResourceType", "The resource type could not be found.");
            return;
        }

        var authorization = request.Headers.Authorization.ToString();
        if (authorization != "Bearer " + AccessToken)
        {
            Violations.Add($"{key}: Authorization header is '{authorization}', not the bearer token");
            await WriteErrorAsync(context, 401, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing or invalid.");
            return;
        }

        if (string.IsNullOrEmpty(request.Headers["x-ms-client-request-id"]))
        {
            Violations.Add($"{key}: no x-ms-client-request-id header");
        }

        var apiVersion = request.Query["api-version"].ToString();
        if (!ApiVersions.TryGetValue(route.Namespace, out var versions) || !versions.Contains(apiVersion))
        {
            Violations.Add($"{key}: api-version '{apiVersion}' is not served by {route.Namespace}");
            await WriteErrorAsync(context, 400, "InvalidApiVersionParameter",
                $"The api-version '{apiVersion}' is invalid. The supported versions are '{string.Join(",", versions ?? [])}'.");
            return;
        }

        if (!string.Equals(route.Subscription, SubscriptionId, StringComparison.OrdinalIgnoreCase))
        {
            Violations.Add($"{key}: subscription '{route.Subscription}' is not the configured one");
            await WriteErrorAsync(context, 404, "SubscriptionNotFound", $"The subscription '{route.Subscription}' could not be found.");
            return;
        }

        if (route.ResourceGroup is not null && !string.Equals(route.ResourceGroup, ResourceGroup, StringComparison.OrdinalIgnoreCase))
        {
            Violations.Add($"{key}: resource group '{route.ResourceGroup}' is not the configured one");
            await WriteErrorAsync(context, 404, "ResourceGroupNotFound", $"Resource group '{route.ResourceGroup}' could not be found.");
            return;
        }

        ArmFault? fault = null;
        if (_faults.TryGetValue(key, out var queue))
        {
            queue.TryDequeue(out fault);
        }

        var delayedAnswer = fault is { ProcessFirst: true } ? fault : null;
        if (fault is { ProcessFirst: false })
        {
            if (fault.Delay > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(fault.Delay, context.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }

            if (fault.ErrorCode is not null)
            {
                if (fault.RetryAfterSeconds is { } retryAfter)
                {
                    context.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
                }

                await WriteErrorAsync(context, fault.StatusCode, fault.ErrorCode, $"scripted fault {fault.ErrorCode}");
                return;
            }
        }

        JsonObject? body = null;
        if (request.Method is "PUT" or "PATCH")
        {
            if (request.ContentType?.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) != true)
            {
                Violations.Add($"{key}: Content-Type '{request.ContentType}' is not application/json");
            }

            try
            {
                body = await JsonNode.ParseAsync(request.Body, cancellationToken: context.RequestAborted) as JsonObject;
            }
            catch (JsonException exception)
            {
                Violations.Add($"{key}: body is not JSON ({exception.Message})");
            }

            if (body is null)
            {
                await WriteErrorAsync(context, 400, "InvalidRequestContent", "The request content was invalid and could not be deserialized.");
                return;
            }
        }

        var result = (request.Method, route.Kind) switch
        {
            ("PUT", "networkInterfaces") => PutNic(route, body!, apiVersion),
            ("GET", "networkInterfaces") => Get(route),
            ("DELETE", "networkInterfaces") => DeleteNic(route, apiVersion),
            ("PUT", "virtualMachines") => PutVm(route, body!, apiVersion),
            ("GET", "virtualMachines") => Get(route),
            ("DELETE", "virtualMachines") => DeleteVm(route, apiVersion),
            ("GET", "instanceView") => InstanceView(route),
            ("GET", "virtualMachineList") => ListVms(request, apiVersion),
            ("GET", "operations") => OperationStatus(route),
            ("GET", "operationResults") => OperationResult(route),
            ("GET", "provider") => ProviderInfo(route),
            _ => Unexpected(key),
        };

        if (delayedAnswer is not null)
        {
            // The work is done; the answer is late (or lost, when the client gives up first).
            try
            {
                await Task.Delay(delayedAnswer.Delay, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        context.Response.StatusCode = result.Status;
        foreach (var (name, value) in result.Headers)
        {
            context.Response.Headers[name] = value;
        }

        if (result.Error is { } error)
        {
            await WriteErrorAsync(context, result.Status, error.Code, error.Message);
            return;
        }

        if (result.Body is not null)
        {
            context.Response.ContentType = "application/json; charset=utf-8";
            await context.Response.WriteAsync(result.Body.ToJsonString(), context.RequestAborted);
        }
    }

    private ArmResult Unexpected(string key)
    {
        Violations.Add($"{key}: not a call PodVm should make");
        return ArmResult.Fail(405, "MethodNotAllowed", "The requested method is not allowed.");
    }

    private ArmResult PutNic(Route route, JsonObject body, string apiVersion)
    {
        var where = $"PUT networkInterfaces/{route.Name}";
        if (!CheckLocationAndTags(where, body, out var failure))
        {
            return failure;
        }

        if (body["properties"]?["ipConfigurations"] is not JsonArray configurations || configurations.Count == 0)
        {
            Violations.Add($"{where}: properties.ipConfigurations is required");
            return ArmResult.Fail(400, "InvalidRequestFormat", "At least one IP configuration is required.");
        }

        foreach (var configuration in configurations)
        {
            var name = configuration?["name"]?.GetValue<string>();
            var subnet = configuration?["properties"]?["subnet"]?["id"]?.GetValue<string>();
            var method = configuration?["properties"]?["privateIPAllocationMethod"]?.GetValue<string>() ?? "Dynamic";
            if (string.IsNullOrEmpty(name) || string.IsNullOrEmpty(subnet))
            {
                Violations.Add($"{where}: each ipConfiguration needs a name and properties.subnet.id");
                return ArmResult.Fail(400, "InvalidRequestFormat", "IP configuration name and subnet are required.");
            }

            if (!KnownSubnets.Contains(subnet))
            {
                return ArmResult.Fail(400, "InvalidResourceReference", $"Resource {subnet} referenced by resource {route.Name} was not found.");
            }

            if (method is not ("Dynamic" or "Static"))
            {
                Violations.Add($"{where}: privateIPAllocationMethod '{method}'");
                return ArmResult.Fail(400, "InvalidRequestFormat", "privateIPAllocationMethod must be Dynamic or Static.");
            }
        }

        lock (_lock)
        {
            var id = ResourceId("Microsoft.Network/networkInterfaces", route.Name!);
            if (_resources.TryGetValue(id, out var existing))
            {
                existing.Body = Merge(body, existing);
                return InProgressOn(id) is { } running
                    ? ArmResult.Ok(200, View(existing), AsyncHeaders("Microsoft.Network", running, apiVersion, withLocation: false))
                    : ArmResult.Ok(200, View(existing));
            }

            var nic = AddResource("Microsoft.Network/networkInterfaces", route.Name!, body);
            var address = NextAddress();

            // A Dynamic private address is assigned when the NIC is created; it is stored on the NIC's own copy of
            // the body (AddResource cloned it), so GET returns it in properties.ipConfigurations[].properties.
            foreach (var configuration in (JsonArray)nic.Body["properties"]!["ipConfigurations"]!)
            {
                configuration!["properties"]!["privateIPAddress"] = address;
            }

            nic.ProvisioningState = "Updating";
            var operation = NewOperation("Microsoft.Network", nic.Id, () => nic.ProvisioningState = "Succeeded", null);
            return ArmResult.Ok(201, View(nic), AsyncHeaders("Microsoft.Network", operation, apiVersion, withLocation: false));
        }
    }

    private ArmResult DeleteNic(Route route, string apiVersion)
    {
        lock (_lock)
        {
            var id = ResourceId("Microsoft.Network/networkInterfaces", route.Name!);
            if (!_resources.TryGetValue(id, out var nic))
            {
                return ArmResult.Ok(204, null);
            }

            if (nic.AttachedTo is not null && _resources.ContainsKey(nic.AttachedTo))
            {
                return ArmResult.Fail(400, "NicInUse",
                    $"Network Interface {id} is used by existing resource {nic.AttachedTo}. In order to delete the network interface, it must be dissociated from the resource.");
            }

            var operation = NewOperation("Microsoft.Network", id, () => _resources.Remove(id), null);
            return ArmResult.Ok(202, null, AsyncHeaders("Microsoft.Network", operation, apiVersion, withLocation: true));
        }
    }

    private ArmResult PutVm(Route route, JsonObject body, string apiVersion)
    {
        var where = $"PUT virtualMachines/{route.Name}";
        if (!CheckLocationAndTags(where, body, out var failure))
        {
            return failure;
        }

        var properties = body["properties"] as JsonObject;
        var vmSize = properties?["hardwareProfile"]?["vmSize"]?.GetValue<string>();
        if (string.IsNullOrEmpty(vmSize))
        {
            Violations.Add($"{where}: properties.hardwareProfile.vmSize is required");
            return ArmResult.Fail(400, "InvalidParameter", "Required parameter 'hardwareProfile.vmSize' is missing (null).");
        }

        var storage = properties?["storageProfile"];
        var osDisk = storage?["osDisk"];
        var imageId = storage?["imageReference"]?["id"]?.GetValue<string>();
        if (osDisk?["createOption"]?.GetValue<string>() != "FromImage" || imageId is null)
        {
            Violations.Add($"{where}: storageProfile.osDisk.createOption must be FromImage with storageProfile.imageReference.id");
            return ArmResult.Fail(400, "InvalidParameter", "Required parameter 'imageReference' is missing.");
        }

        if (!KnownImages.Contains(imageId))
        {
            return ArmResult.Fail(404, "GalleryImageNotFound", $"The gallery image {imageId} is not available in {Location} region.");
        }

        if (osDisk["deleteOption"]?.GetValue<string>() != "Delete")
        {
            Violations.Add($"{where}: osDisk.deleteOption is not Delete: the disk would outlive the VM");
        }

        var security = properties?["securityProfile"];
        var securityType = security?["securityType"]?.GetValue<string>();
        var encryptionType = osDisk["managedDisk"]?["securityProfile"]?["securityEncryptionType"]?.GetValue<string>();
        var vTpm = security?["uefiSettings"]?["vTpmEnabled"]?.GetValue<bool>() ?? false;
        var secureBoot = security?["uefiSettings"]?["secureBootEnabled"]?.GetValue<bool>() ?? false;
        if (securityType == "ConfidentialVM")
        {
            if (encryptionType is not ("VMGuestStateOnly" or "DiskWithVMGuestState" or "NonPersistedTPM"))
            {
                Violations.Add($"{where}: a confidential VM needs osDisk.managedDisk.securityProfile.securityEncryptionType");
                return ArmResult.Fail(400, "InvalidParameter", "Required parameter 'securityEncryptionType' is missing for ConfidentialVM.");
            }

            if (!vTpm)
            {
                Violations.Add($"{where}: a confidential VM needs securityProfile.uefiSettings.vTpmEnabled=true");
                return ArmResult.Fail(400, "InvalidParameter", "'vTpmEnabled' must be true for ConfidentialVM.");
            }

            if (encryptionType == "DiskWithVMGuestState" && !secureBoot)
            {
                return ArmResult.Fail(400, "InvalidParameter", "'secureBootEnabled' must be true when securityEncryptionType is DiskWithVMGuestState.");
            }

            if (!ConfidentialSizePattern().IsMatch(vmSize))
            {
                return ArmResult.Fail(400, "BadRequest", $"The VM size '{vmSize}' does not support security type ConfidentialVM.");
            }
        }
        else if (encryptionType is not null)
        {
            Violations.Add($"{where}: securityEncryptionType without securityType ConfidentialVM");
            return ArmResult.Fail(400, "InvalidParameter", "securityEncryptionType is only allowed for ConfidentialVM.");
        }

        var osProfile = properties?["osProfile"];
        var computerName = osProfile?["computerName"]?.GetValue<string>();
        var adminUsername = osProfile?["adminUsername"]?.GetValue<string>();
        if (string.IsNullOrEmpty(computerName) || computerName.Length > 64 || string.IsNullOrEmpty(adminUsername))
        {
            Violations.Add($"{where}: osProfile.computerName (1..64) and osProfile.adminUsername are required");
            return ArmResult.Fail(400, "InvalidParameter", "Required parameter 'osProfile.computerName' or 'adminUsername' is missing or too long.");
        }

        if (adminUsername is "root" or "admin" or "administrator" or "guest")
        {
            return ArmResult.Fail(400, "InvalidParameter", $"The Admin Username specified is not allowed: {adminUsername}.");
        }

        var linux = osProfile?["linuxConfiguration"];
        if (linux?["disablePasswordAuthentication"]?.GetValue<bool>() == true
            && (linux["ssh"]?["publicKeys"] is not JsonArray keys || keys.Count == 0
                || keys.Any(k => k?["keyData"]?.GetValue<string>()?.StartsWith("ssh-", StringComparison.Ordinal) != true)))
        {
            Violations.Add($"{where}: password authentication disabled but no valid SSH public key");
            return ArmResult.Fail(400, "InvalidParameter", "Destination path for SSH public keys is required / key data is invalid.");
        }

        if (osProfile?["customData"]?.GetValue<string>() is { } customData)
        {
            try
            {
                var decoded = Convert.FromBase64String(customData);
                if (decoded.Length > MaxCustomDataBytes)
                {
                    Violations.Add($"{where}: customData of {decoded.Length} bytes: the provider must refuse it first");
                    return ArmResult.Fail(400, "InvalidParameter", "Custom data in OSProfile must be in Base64 encoding and with a maximum length of 87380 characters.");
                }
            }
            catch (FormatException)
            {
                Violations.Add($"{where}: customData is not base64");
                return ArmResult.Fail(400, "InvalidParameter", "Custom data in OSProfile must be in Base64 encoding.");
            }
        }

        if (properties?["networkProfile"]?["networkInterfaces"] is not JsonArray nics || nics.Count == 0)
        {
            Violations.Add($"{where}: networkProfile.networkInterfaces is required");
            return ArmResult.Fail(400, "InvalidParameter", "Required parameter 'networkProfile' is missing (null).");
        }

        lock (_lock)
        {
            var vmId = ResourceId("Microsoft.Compute/virtualMachines", route.Name!);
            var nicIds = new List<string>();
            foreach (var reference in nics)
            {
                var nicId = reference?["id"]?.GetValue<string>() ?? string.Empty;
                if (reference?["properties"]?["deleteOption"]?.GetValue<string>() != "Delete")
                {
                    Violations.Add($"{where}: NIC {nicId} without deleteOption Delete: it would outlive the VM");
                }

                if (!_resources.TryGetValue(nicId, out var nic))
                {
                    return ArmResult.Fail(400, "InvalidResourceReference", $"Resource {nicId} referenced by resource {vmId} was not found.");
                }

                if (nic.AttachedTo is not null && !string.Equals(nic.AttachedTo, vmId, StringComparison.OrdinalIgnoreCase))
                {
                    return ArmResult.Fail(400, "NicReservedForAnotherVm", $"Network interface {nicId} is reserved for {nic.AttachedTo}.");
                }

                nicIds.Add(nic.Id);
            }

            if (_resources.TryGetValue(vmId, out var existingVm))
            {
                var oldOs = existingVm.Body["properties"]?["osProfile"];
                if (oldOs?["customData"]?.GetValue<string>() != osProfile?["customData"]?.GetValue<string>()
                    || oldOs?["adminUsername"]?.GetValue<string>() != adminUsername)
                {
                    return ArmResult.Fail(409, "PropertyChangeNotAllowed", "Changing property 'osProfile' is not allowed.");
                }

                existingVm.Body = Merge(body, existingVm);
                return InProgressOn(vmId) is { } running
                    ? ArmResult.Ok(200, View(existingVm), AsyncHeaders("Microsoft.Compute", running, apiVersion, withLocation: false))
                    : ArmResult.Ok(200, View(existingVm));
            }

            var vm = AddResource("Microsoft.Compute/virtualMachines", route.Name!, body);
            vm.Body["properties"]!["vmId"] = Guid.NewGuid().ToString();
            vm.Body["properties"]!["timeCreated"] = vm.CreatedAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);
            foreach (var nicId in nicIds)
            {
                _resources[nicId].AttachedTo = vm.Id;
                vm.DeleteWithVm.Add(nicId);
            }

            var diskName = osDisk["name"]?.GetValue<string>() ?? route.Name + "_OsDisk_1";
            var disk = AddResource("Microsoft.Compute/disks", diskName, new JsonObject
            {
                ["location"] = Location,
                ["tags"] = body["tags"]?.DeepClone(),
            });
            disk.ProvisioningState = "Succeeded";
            osDisk.AsObject()["managedDisk"]!["id"] = disk.Id;
            if (osDisk["deleteOption"]?.GetValue<string>() == "Delete")
            {
                vm.DeleteWithVm.Add(disk.Id);
            }

            var failure2 = FailVmCreatesWith ?? (SizesWithoutCapacity.Contains(vmSize) ? "AllocationFailed" : null);
            var operation = NewOperation(
                "Microsoft.Compute",
                vm.Id,
                () => vm.ProvisioningState = "Succeeded",
                failure2 is null ? null : (failure2, failure2 == "AllocationFailed"
                    ? $"Allocation failed. We do not have sufficient capacity for the requested VM size {vmSize} in this region."
                    : $"VM {route.Name} failed: {failure2}", () => vm.ProvisioningState = "Failed"));
            return ArmResult.Ok(201, View(vm), AsyncHeaders("Microsoft.Compute", operation, apiVersion, withLocation: false));
        }
    }

    private ArmResult DeleteVm(Route route, string apiVersion)
    {
        lock (_lock)
        {
            var id = ResourceId("Microsoft.Compute/virtualMachines", route.Name!);
            if (!_resources.TryGetValue(id, out var vm))
            {
                return ArmResult.Ok(204, null);
            }

            vm.ProvisioningState = "Deleting";
            var operation = NewOperation("Microsoft.Compute", id, () =>
            {
                _resources.Remove(id);
                foreach (var dependent in vm.DeleteWithVm)
                {
                    _resources.Remove(dependent);
                }

                foreach (var nic in _resources.Values.Where(r => string.Equals(r.AttachedTo, id, StringComparison.OrdinalIgnoreCase)))
                {
                    nic.AttachedTo = null;
                }
            }, null);
            return ArmResult.Ok(202, null, AsyncHeaders("Microsoft.Compute", operation, apiVersion, withLocation: true));
        }
    }

    private ArmResult Get(Route route)
    {
        lock (_lock)
        {
            var type = route.Kind == "virtualMachines" ? "Microsoft.Compute/virtualMachines" : "Microsoft.Network/networkInterfaces";
            AdvanceOperationsOn(ResourceId(type, route.Name!));
            return _resources.TryGetValue(ResourceId(type, route.Name!), out var resource)
                ? ArmResult.Ok(200, View(resource))
                : ArmResult.Fail(404, "ResourceNotFound", $"The Resource '{type}/{route.Name}' under resource group '{ResourceGroup}' was not found.");
        }
    }

    private ArmResult InstanceView(Route route)
    {
        lock (_lock)
        {
            AdvanceOperationsOn(ResourceId("Microsoft.Compute/virtualMachines", route.Name!));
            if (!_resources.TryGetValue(ResourceId("Microsoft.Compute/virtualMachines", route.Name!), out var vm))
            {
                return ArmResult.Fail(404, "ResourceNotFound", $"The Resource 'Microsoft.Compute/virtualMachines/{route.Name}' was not found.");
            }

            var power = vm.ProvisioningState switch
            {
                "Succeeded" => "running",
                "Creating" => "starting",
                "Deleting" => "stopping",
                _ => "stopped",
            };
            return ArmResult.Ok(200, new JsonObject
            {
                ["computerName"] = vm.Body["properties"]?["osProfile"]?["computerName"]?.DeepClone(),
                ["statuses"] = new JsonArray(
                    new JsonObject
                    {
                        ["code"] = "ProvisioningState/" + vm.ProvisioningState.ToLowerInvariant(),
                        ["level"] = vm.ProvisioningState == "Failed" ? "Error" : "Info",
                        ["displayStatus"] = "Provisioning " + vm.ProvisioningState.ToLowerInvariant(),
                    },
                    new JsonObject { ["code"] = "PowerState/" + power, ["level"] = "Info", ["displayStatus"] = "VM " + power }),
            });
        }
    }

    private ArmResult ListVms(HttpRequest request, string apiVersion)
    {
        var skip = 0;
        if (request.Query.TryGetValue("$skiptoken", out var token)
            && !int.TryParse(token.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out skip))
        {
            return ArmResult.Fail(400, "InvalidSkipToken", "The skip token is invalid.");
        }

        lock (_lock)
        {
            var all = _resources.Values
                .Where(r => r.Type == "Microsoft.Compute/virtualMachines")
                .OrderBy(r => r.CreatedAt).ThenBy(r => r.Name, StringComparer.Ordinal).ToList();
            var page = all.Skip(skip).Take(PageSize).Select(r => (JsonNode)View(r)).ToArray();
            var result = new JsonObject { ["value"] = new JsonArray(page) };
            if (skip + PageSize < all.Count)
            {
                result["nextLink"] = $"{Endpoint}subscriptions/{SubscriptionId}/resourceGroups/{ResourceGroup}/providers/Microsoft.Compute/virtualMachines?api-version={apiVersion}&$skiptoken={skip + PageSize}";
            }

            return ArmResult.Ok(200, result);
        }
    }

    private ArmResult OperationStatus(Route route)
    {
        lock (_lock)
        {
            if (!_operations.TryGetValue(route.Name!, out var operation))
            {
                Violations.Add($"poll of unknown operation {route.Name}");
                return ArmResult.Fail(404, "OperationNotFound", "The operation was not found.");
            }

            Advance(operation);
            var body = new JsonObject
            {
                ["name"] = route.Name,
                ["status"] = operation.Status,
                ["startTime"] = operation.Started.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
            };
            if (operation.Status == "Failed")
            {
                body["error"] = new JsonObject { ["code"] = operation.Failure!.Value.Code, ["message"] = operation.Failure.Value.Message };
            }

            var headers = new Dictionary<string, string>(StringComparer.Ordinal);
            if (operation.Status == "InProgress" && OperationRetryAfterSeconds is { } retryAfter)
            {
                headers["Retry-After"] = retryAfter.ToString(CultureInfo.InvariantCulture);
            }

            return ArmResult.Ok(200, body, headers);
        }
    }

    private ArmResult OperationResult(Route route)
    {
        lock (_lock)
        {
            if (!_operations.TryGetValue(route.Name!, out var operation))
            {
                Violations.Add($"poll of unknown operation result {route.Name}");
                return ArmResult.Fail(404, "OperationNotFound", "The operation was not found.");
            }

            Advance(operation);
            return operation.Status switch
            {
                "InProgress" => ArmResult.Ok(202, null),
                "Succeeded" => ArmResult.Ok(204, null),
                _ => ArmResult.Fail(400, operation.Failure!.Value.Code, operation.Failure.Value.Message),
            };
        }
    }

    private ArmResult ProviderInfo(Route route)
    {
        var versions = ApiVersions[route.Namespace].OrderDescending(StringComparer.Ordinal).Select(v => (JsonNode)v).ToArray();
        var types = route.Namespace.Equals("Microsoft.Network", StringComparison.OrdinalIgnoreCase)
            ? new[] { "networkInterfaces", "locations/operations", "locations/operationResults" }
            : ["virtualMachines", "locations/operations", "locations/operationResults"];
        return ArmResult.Ok(200, new JsonObject
        {
            ["id"] = $"/subscriptions/{SubscriptionId}/providers/{route.Namespace}",
            ["namespace"] = route.Namespace,
            ["registrationState"] = "Registered",
            ["resourceTypes"] = new JsonArray(types.Select(t => (JsonNode)new JsonObject
            {
                ["resourceType"] = t,
                ["locations"] = new JsonArray("West Europe"),
                ["apiVersions"] = new JsonArray(versions.Select(v => v!.DeepClone()).ToArray()),
            }).ToArray()),
        });
    }

    /// <summary>
    /// A real operation finishes whether or not anyone polls it (an answer may have been lost); here a GET of its
    /// resource counts as time passing, like a poll of its status.
    /// </summary>
    private void AdvanceOperationsOn(string resourceId)
    {
        foreach (var operation in _operations.Values.Where(o => o.Status == "InProgress"
            && string.Equals(o.Target, resourceId, StringComparison.OrdinalIgnoreCase)).ToList())
        {
            Advance(operation);
        }
    }

    private Operation? InProgressOn(string resourceId) => _operations.Values.FirstOrDefault(o => o.Status == "InProgress"
        && string.Equals(o.Target, resourceId, StringComparison.OrdinalIgnoreCase));

    private void Advance(Operation operation)
    {
        if (operation.Status != "InProgress" || operation.PollsLeft-- > 0)
        {
            return;
        }

        if (operation.Failure is { } failure)
        {
            operation.Status = "Failed";
            failure.OnFailure();
        }
        else
        {
            operation.Status = "Succeeded";
            operation.OnSuccess();
        }
    }

    private bool CheckLocationAndTags(string where, JsonObject body, out ArmResult failure)
    {
        failure = default;
        var location = body["location"]?.GetValue<string>();
        if (string.IsNullOrEmpty(location))
        {
            Violations.Add($"{where}: location is required");
            failure = ArmResult.Fail(400, "LocationRequired", "The location property is required for this definition.");
            return false;
        }

        if (!string.Equals(location.Replace(" ", string.Empty, StringComparison.Ordinal), Location, StringComparison.OrdinalIgnoreCase))
        {
            failure = ArmResult.Fail(400, "LocationNotAvailableForResourceType", $"The provided location '{location}' is not available.");
            return false;
        }

        if (body["tags"] is JsonNode tagsNode)
        {
            if (tagsNode is not JsonObject tags)
            {
                Violations.Add($"{where}: tags is not an object");
                failure = ArmResult.Fail(400, "InvalidRequestContent", "tags must be an object.");
                return false;
            }

            if (tags.Count > 50)
            {
                Violations.Add($"{where}: {tags.Count} tags (ARM allows 50)");
                failure = ArmResult.Fail(400, "InvalidTag", "A resource can have at most 50 tags.");
                return false;
            }

            foreach (var (name, value) in tags)
            {
                var text = value?.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;
                if (name.Length is 0 or > 512 || name.AsSpan().IndexOfAny(ForbiddenTagNameCharacters) >= 0)
                {
                    Violations.Add($"{where}: tag name '{name}' breaks ARM rules (1..512 characters, none of < > % & \\ ? /)");
                    failure = ArmResult.Fail(400, "InvalidTagNameCharacters", $"The tag names '{name}' have reserved characters '<,>,%,&,\\,?,/' or control characters.");
                    return false;
                }

                if (text is null || text.Length > 256)
                {
                    Violations.Add($"{where}: tag '{name}' value must be a string of at most 256 characters");
                    failure = ArmResult.Fail(400, "InvalidTagValueLength", $"Tag value too long for tag '{name}'.");
                    return false;
                }
            }
        }

        return true;
    }

    private FakeArmResource AddResource(string type, string name, JsonObject body)
    {
        var resource = new FakeArmResource { Id = ResourceId(type, name), Name = name, Type = type, Body = (JsonObject)body.DeepClone() };
        _resources[resource.Id] = resource;
        return resource;
    }

    private static JsonObject Merge(JsonObject body, FakeArmResource existing)
    {
        var merged = (JsonObject)body.DeepClone();
        if (existing.Body["properties"] is JsonObject oldProperties && merged["properties"] is JsonObject newProperties)
        {
            foreach (var (key, value) in oldProperties)
            {
                if (!newProperties.ContainsKey(key))
                {
                    newProperties[key] = value?.DeepClone();
                }
            }
        }

        return merged;
    }

    private JsonObject View(FakeArmResource resource)
    {
        var view = (JsonObject)resource.Body.DeepClone();
        view["id"] = resource.Id;
        view["name"] = resource.Name;
        view["type"] = resource.Type;
        if (view["properties"] is not JsonObject properties)
        {
            properties = new JsonObject();
            view["properties"] = properties;
        }

        properties["provisioningState"] = resource.ProvisioningState;
        if (properties["osProfile"] is JsonObject osProfile)
        {
            // ARM never returns custom data or passwords.
            osProfile.Remove("customData");
            osProfile.Remove("adminPassword");
        }

        if (resource.AttachedTo is not null)
        {
            properties["virtualMachine"] = new JsonObject { ["id"] = resource.AttachedTo };
        }

        return view;
    }

    private Operation NewOperation(string ns, string target, Action onSuccess, (string Code, string Message, Action OnFailure)? failure)
    {
        var operation = new Operation
        {
            Id = Guid.NewGuid().ToString(),
            Namespace = ns,
            Target = target,
            PollsLeft = PollsUntilDone,
            OnSuccess = onSuccess,
            Failure = failure,
        };
        _operations[operation.Id] = operation;
        return operation;
    }

    private Dictionary<string, string> AsyncHeaders(string ns, Operation operation, string apiVersion, bool withLocation)
    {
        var baseUri = $"{Endpoint}subscriptions/{SubscriptionId}/providers/{ns}/locations/{Location}";
        var headers = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["Azure-AsyncOperation"] = $"{baseUri}/operations/{operation.Id}?api-version={apiVersion}",
        };
        if (withLocation)
        {
            headers["Location"] = $"{baseUri}/operationResults/{operation.Id}?api-version={apiVersion}";
        }

        if (OperationRetryAfterSeconds is { } retryAfter)
        {
            headers["Retry-After"] = retryAfter.ToString(CultureInfo.InvariantCulture);
        }

        return headers;
    }

    private static JsonObject IpConfiguration(string name, string subnet, string address) => new()
    {
        ["name"] = name,
        ["properties"] = new JsonObject
        {
            ["subnet"] = new JsonObject { ["id"] = subnet },
            ["privateIPAllocationMethod"] = "Dynamic",
            ["privateIPAddress"] = address,
            ["primary"] = true,
        },
    };

    private string NextAddress()
    {
        // A documentation range (RFC 5737): nothing is ever sent to it.
        var n = Interlocked.Increment(ref _nextAddress);
        return $"192.0.2.{(n % 250) + 1}";
    }

    private static string ResourceId(string type, string name) =>
        $"/subscriptions/{SubscriptionId}/resourceGroups/{ResourceGroup}/providers/{type}/{name}";

    private static X509Certificate2 CreateCertificate()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=fake-arm.podvm.test", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        san.AddDnsName("localhost");
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pfx), null);
    }

    private static async Task WriteErrorAsync(HttpContext context, int status, string code, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.Headers["x-ms-failure-cause"] = "gateway";
        var body = new JsonObject { ["error"] = new JsonObject { ["code"] = code, ["message"] = message } };
        await context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted);
    }

    [GeneratedRegex("^Standard_[DE]C[0-9]+[a-z]*_v[56]$", RegexOptions.IgnoreCase)]
    private static partial Regex ConfidentialSizePattern();

    private sealed class Operation
    {
        public required string Id { get; init; }
        public required string Namespace { get; init; }
        public required string Target { get; init; }
        public required Action OnSuccess { get; init; }
        public (string Code, string Message, Action OnFailure)? Failure { get; init; }
        public int PollsLeft { get; set; }
        public string Status { get; set; } = "InProgress";
        public DateTimeOffset Started { get; } = DateTimeOffset.UtcNow;
    }

    private readonly record struct ArmError(string Code, string Message);

    private readonly record struct ArmResult(int Status, JsonObject? Body, IReadOnlyDictionary<string, string> Headers, ArmError? Error)
    {
        public static ArmResult Ok(int status, JsonObject? body, IReadOnlyDictionary<string, string>? headers = null) =>
            new(status, body, headers ?? new Dictionary<string, string>(), null);

        public static ArmResult Fail(int status, string code, string message) =>
            new(status, null, new Dictionary<string, string>(), new ArmError(code, message));
    }

    private sealed record Route(string Kind, string Namespace, string? Subscription, string? ResourceGroup, string? Name)
    {
        public static Route Parse(string[] s)
        {
            bool Is(int i, string value) => s.Length > i && string.Equals(s[i], value, StringComparison.OrdinalIgnoreCase);

            if (Is(0, "subscriptions") && Is(2, "providers") && s.Length == 4)
            {
                return new Route("provider", s[3], s[1], null, null);
            }

            if (Is(0, "subscriptions") && Is(2, "providers") && Is(4, "locations") && s.Length == 8
                && (Is(6, "operations") || Is(6, "operationResults")))
            {
                return new Route(Is(6, "operations") ? "operations" : "operationResults", s[3], s[1], null, s[7]);
            }

            if (Is(0, "subscriptions") && Is(2, "resourceGroups") && Is(4, "providers"))
            {
                var ns = s.Length > 5 ? s[5] : string.Empty;
                if (Is(5, "Microsoft.Compute") && Is(6, "virtualMachines"))
                {
                    return s.Length switch
                    {
                        7 => new Route("virtualMachineList", ns, s[1], s[3], null),
                        8 => new Route("virtualMachines", ns, s[1], s[3], s[7]),
                        9 when Is(8, "instanceView") => new Route("instanceView", ns, s[1], s[3], s[7]),
                        _ => Unknown,
                    };
                }

                if (Is(5, "Microsoft.Network") && Is(6, "networkInterfaces") && s.Length == 8)
                {
                    return new Route("networkInterfaces", ns, s[1], s[3], s[7]);
                }
            }

            return Unknown;
        }

        private static Route Unknown => new("unknown", string.Empty, null, null, null);
    }
}
