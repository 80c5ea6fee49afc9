using System.Text.Json;
using System.Text.Json.Nodes;
using global::Azure;
using global::Azure.Core;
using global::Azure.ResourceManager;
using global::Azure.ResourceManager.Compute;
using global::Azure.ResourceManager.Compute.Models;
using global::Azure.ResourceManager.Resources;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PodVm.CloudApiAdaptor.Providers;

namespace PodVm.Providers.Azure;

/// <summary>
/// Pod VMs as Azure (confidential) VMs. Per pod: a NIC, created through the generic ARM resource API (the Network SDK
/// is not available here), and a VM whose NIC and OS disk carry deleteOption Delete, so deleting the VM deletes them.
/// The VM name is the pod's instance name, so a retried create finds the VM of the first one instead of starting a
/// second; a VM left Failed by an earlier attempt is deleted (with its NIC) before the next. Long-running operations
/// are followed to the end through Azure-AsyncOperation polling.
/// </summary>
internal sealed class AzureCloudProvider : ICloudProvider
{
    public const int MaxCustomDataBytes = 65535;

    private readonly ArmClient _arm;
    private readonly AzureProviderOptions _options;
    private readonly ResourceGroupResource _resourceGroup;
    private readonly TimeProvider _time;
    private readonly ILogger<AzureCloudProvider> _logger;

    public AzureCloudProvider(ArmClient arm, IOptions<AzureProviderOptions> options, TimeProvider time, ILogger<AzureCloudProvider> logger)
    {
        _arm = arm;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _resourceGroup = arm.GetResourceGroupResource(
            ResourceGroupResource.CreateResourceIdentifier(_options.SubscriptionId, _options.ResourceGroup));
    }

    public string Name => "azure";

    public int MaxUserDataBytes => MaxCustomDataBytes;

    public async Task<ProviderInstance> CreateInstanceAsync(CreateInstanceRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var name = request.InstanceName;
        if (request.UserData.Length > MaxCustomDataBytes)
        {
            throw new ProviderException(
                ProviderErrorReason.UserDataTooLarge,
                $"user data for sandbox {request.SandboxId} is {request.UserData.Length} bytes; Azure custom data holds at most {MaxCustomDataBytes}. "
                + "Shrink the pod's initdata (cc_init_data) or the policy it carries.");
        }

        if (!AzureNames.IsValidVmName(name))
        {
            throw new ProviderException(ProviderErrorReason.InvalidConfiguration,
                $"instance name '{name}' for sandbox {request.SandboxId} is not a valid Azure VM name (1-64 letters, digits, '-', '_', '.').");
        }

        var types = new List<InstanceType> { request.InstanceType };
        types.AddRange(request.FallbackInstanceTypes.Where(t => types.TrueForAll(u => u.Name != t.Name)));
        if (request.Confidential && types.Find(t => !AzureNames.MatchesTee(t.Name, _options.Tee)) is { } wrong)
        {
            throw new ProviderException(ProviderErrorReason.InvalidConfiguration,
                $"VM size {wrong.Name} for sandbox {request.SandboxId} is not a {_options.Tee} confidential size "
                + $"(Providers:Azure:Tee is {_options.Tee}: use DCas/ECas v5 for SEV-SNP, DCes/ECes v5 for TDX).");
        }

        using var deadline = new CancellationTokenSource(_options.CreateTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        var token = linked.Token;
        try
        {
            var existing = await FindVmAsync(name, token);
            if (existing is not null)
            {
                var state = existing.Data.ProvisioningState ?? "Unknown";
                AzureProviderLog.Adopting(_logger, request.SandboxId, name, state);
                if (state != "Failed")
                {
                    return await WaitUntilReachableAsync(request.SandboxId, name, token);
                }

                await CleanupAsync(name, null);
            }

            for (var i = 0; ; i++)
            {
                try
                {
                    return await CreateOnceAsync(request, types[i], token);
                }
                catch (RequestFailedException exception)
                    when (ArmErrorMapper.Reason(exception) == ProviderErrorReason.InsufficientCapacity && i + 1 < types.Count)
                {
                    AzureProviderLog.FallingBack(_logger, request.SandboxId, types[i].Name, types[i + 1].Name);
                }
            }
        }
        catch (Exception exception) when (exception is not ProviderException)
        {
            throw Translate(exception, $"create of VM {name} for sandbox {request.SandboxId}", cancellationToken, deadline.Token);
        }
    }

    public async Task<bool> DeleteInstanceAsync(string instanceId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(instanceId);
        if (!AzureNames.IsValidVmName(instanceId))
        {
            return false;
        }

        try
        {
            var existed = await DeleteVmAndNicAsync(instanceId, cancellationToken);
            return existed;
        }
        catch (Exception exception) when (exception is not ProviderException and not OperationCanceledException)
        {
            throw Translate(exception, $"delete of VM {instanceId}", cancellationToken, CancellationToken.None);
        }
    }

    public async Task<ProviderInstance?> GetInstanceAsync(string instanceId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(instanceId);
        if (!AzureNames.IsValidVmName(instanceId))
        {
            return null;
        }

        try
        {
            var vm = await FindVmAsync(instanceId, cancellationToken);
            return vm is null ? null : await DescribeAsync(vm, cancellationToken);
        }
        catch (Exception exception) when (exception is not ProviderException and not OperationCanceledException)
        {
            throw Translate(exception, $"get of VM {instanceId}", cancellationToken, CancellationToken.None);
        }
    }

    public async Task<IReadOnlyList<ProviderInstance>> ListInstancesAsync(
        IReadOnlyDictionary<string, string> tagFilter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tagFilter);
        var result = new List<ProviderInstance>();
        try
        {
            await foreach (var vm in _resourceGroup.GetVirtualMachines().GetAllAsync(null, null, cancellationToken))
            {
                var tags = AzureTags.FromAzure(vm.Data.Tags);
                if (!tagFilter.All(f => tags.TryGetValue(f.Key, out var value) && value == f.Value))
                {
                    continue;
                }

                // Listing is for the reconciler: state from the provisioning state, no per-VM address lookups.
                result.Add(new ProviderInstance
                {
                    Id = vm.Data.Name,
                    Name = vm.Data.Name,
                    State = MapState(vm.Data.ProvisioningState, powerState: null),
                    Addresses = [],
                    Tags = tags,
                    InstanceTypeName = vm.Data.HardwareProfile?.VmSize?.ToString(),
                    CreatedAt = vm.Data.TimeCreated,
                });
            }
        }
        catch (Exception exception) when (exception is not ProviderException and not OperationCanceledException)
        {
            throw Translate(exception, "listing VMs by tag", cancellationToken, CancellationToken.None);
        }

        return result;
    }

    private async Task<ProviderInstance> CreateOnceAsync(CreateInstanceRequest request, InstanceType type, CancellationToken cancellationToken)
    {
        var name = request.InstanceName;
        AzureProviderLog.Creating(_logger, request.SandboxId, name, type.Name, request.Confidential);
        var tags = new Dictionary<string, string>(request.Tags, StringComparer.Ordinal)
        {
            [InstanceTags.SandboxId] = request.SandboxId,
            [InstanceTags.ManagedBy] = InstanceTags.ManagedByValue,
        };

        try
        {
            var nicId = NicId(name);
            var nic = await _arm.GetGenericResources().CreateOrUpdateAsync(WaitUntil.Started, nicId, BuildNic(tags), cancellationToken);
            await nic.WaitForCompletionAsync(_options.PollInterval, cancellationToken);

            var vm = await _resourceGroup.GetVirtualMachines().CreateOrUpdateAsync(
                WaitUntil.Started, name, BuildVm(request, type, nicId, tags), cancellationToken);
            await vm.WaitForCompletionAsync(_options.PollInterval, cancellationToken);

            var ready = await WaitUntilReachableAsync(request.SandboxId, name, cancellationToken);
            AzureProviderLog.Running(_logger, request.SandboxId, name, ready.Addresses[0].ToString());
            return ready;
        }
        catch (Exception exception)
        {
            AzureProviderLog.CleaningUp(_logger, exception, request.SandboxId, name);
            await CleanupAsync(name, exception);
            throw;
        }
    }

    private GenericResourceData BuildNic(Dictionary<string, string> tags)
    {
        var properties = new JsonObject
        {
            ["ipConfigurations"] = new JsonArray(new JsonObject
            {
                ["name"] = "ipconfig1",
                ["properties"] = new JsonObject
                {
                    ["subnet"] = new JsonObject { ["id"] = _options.SubnetId },
                    ["privateIPAllocationMethod"] = "Dynamic",
                    ["primary"] = true,
                },
            }),
        };
        if (_options.NetworkSecurityGroupId is { } nsg)
        {
            properties["networkSecurityGroup"] = new JsonObject { ["id"] = nsg };
        }

        var data = new GenericResourceData(new AzureLocation(_options.Location))
        {
            Properties = BinaryData.FromString(properties.ToJsonString()),
        };
        foreach (var (key, value) in tags)
        {
            data.Tags[AzureTags.ToAzure(key)] = value;
        }

        return data;
    }

    private VirtualMachineData BuildVm(CreateInstanceRequest request, InstanceType type, ResourceIdentifier nicId, Dictionary<string, string> tags)
    {
        var managedDisk = new VirtualMachineManagedDisk { StorageAccountType = new StorageAccountType(_options.OsDiskStorageAccountType) };
        var data = new VirtualMachineData(new AzureLocation(_options.Location))
        {
            HardwareProfile = new VirtualMachineHardwareProfile { VmSize = new VirtualMachineSizeType(type.Name) },
            StorageProfile = new VirtualMachineStorageProfile
            {
                ImageReference = new ImageReference { Id = new ResourceIdentifier(request.Image ?? _options.ImageId) },
                OSDisk = new VirtualMachineOSDisk(DiskCreateOptionType.FromImage)
                {
                    Name = request.InstanceName + "-osdisk",
                    Caching = CachingType.ReadWrite,
                    DeleteOption = DiskDeleteOptionType.Delete,
                    DiskSizeGB = _options.OsDiskSizeGiB,
                    ManagedDisk = managedDisk,
                },
            },
            OSProfile = new VirtualMachineOSProfile
            {
                ComputerName = AzureNames.ComputerName(request.InstanceName),
                AdminUsername = _options.AdminUsername,
                CustomData = Convert.ToBase64String(request.UserData.Span),
                LinuxConfiguration = new LinuxConfiguration
                {
                    IsPasswordAuthenticationDisabled = true,
                    SshPublicKeys =
                    {
                        new SshPublicKeyConfiguration
                        {
                            Path = $"/home/{_options.AdminUsername}/.ssh/authorized_keys",
                            KeyData = _options.SshPublicKey,
                        },
                    },
                },
            },
            NetworkProfile = new VirtualMachineNetworkProfile
            {
                NetworkInterfaces =
                {
                    new VirtualMachineNetworkInterfaceReference { Id = nicId, Primary = true, DeleteOption = ComputeDeleteOption.Delete },
                },
            },
        };

        if (request.Confidential)
        {
            data.SecurityProfile = new SecurityProfile
            {
                SecurityType = SecurityType.ConfidentialVm,
                UefiSettings = new UefiSettings { IsSecureBootEnabled = _options.SecureBoot, IsVirtualTpmEnabled = true },
            };
            managedDisk.SecurityProfile = new VirtualMachineDiskSecurityProfile
            {
                SecurityEncryptionType = _options.DiskEncryption == AzureDiskEncryption.DiskWithVmGuestState
                    ? SecurityEncryptionType.DiskWithVmGuestState
                    : SecurityEncryptionType.VmGuestStateOnly,
                DiskEncryptionSetId = _options.DiskEncryptionSetId is { } set ? new ResourceIdentifier(set) : null,
            };
        }
        else if (request.Tpm || _options.SecureBoot)
        {
            data.SecurityProfile = new SecurityProfile
            {
                SecurityType = SecurityType.TrustedLaunch,
                UefiSettings = new UefiSettings { IsSecureBootEnabled = _options.SecureBoot, IsVirtualTpmEnabled = request.Tpm || _options.VTpm },
            };
        }

        foreach (var (key, value) in tags)
        {
            data.Tags[AzureTags.ToAzure(key)] = value;
        }

        return data;
    }

    private async Task<ProviderInstance> WaitUntilReachableAsync(string sandboxId, string name, CancellationToken cancellationToken)
    {
        while (true)
        {
            var vm = await FindVmAsync(name, cancellationToken)
                ?? throw new ProviderException(ProviderErrorReason.InstanceFailed, $"VM {name} for sandbox {sandboxId} disappeared while starting.");
            if (vm.Data.ProvisioningState == "Failed")
            {
                throw new ProviderException(ProviderErrorReason.InstanceFailed,
                    $"VM {name} for sandbox {sandboxId} is in provisioning state Failed; check the image and the VM's boot diagnostics.");
            }

            var instance = await DescribeAsync(vm, cancellationToken);
            if (instance.State == InstanceState.Running && instance.Addresses.Count > 0)
            {
                return instance;
            }

            await Task.Delay(_options.PollInterval, _time, cancellationToken);
        }
    }

    private async Task<ProviderInstance> DescribeAsync(VirtualMachineResource vm, CancellationToken cancellationToken)
    {
        string? powerState = null;
        try
        {
            var view = await vm.InstanceViewAsync(cancellationToken);
            powerState = view.Value.Statuses?.Select(s => s.Code).FirstOrDefault(c => c?.StartsWith("PowerState/", StringComparison.Ordinal) == true);
        }
        catch (RequestFailedException exception) when (exception.Status == 404)
        {
            powerState = null;
        }

        var addresses = new List<InstanceAddress>();
        var nicReference = vm.Data.NetworkProfile?.NetworkInterfaces?.FirstOrDefault(n => n.Primary != false);
        if (nicReference?.Id is { } nicId && await PrivateAddressAsync(nicId, cancellationToken) is { } address)
        {
            addresses.Add(new InstanceAddress(address, InstanceAddress.ForwarderPort, AddressKind.Private));
        }

        var state = MapState(vm.Data.ProvisioningState, powerState);
        return new ProviderInstance
        {
            Id = vm.Data.Name,
            Name = vm.Data.Name,
            State = state,
            Addresses = state == InstanceState.Running ? addresses : [],
            Tags = AzureTags.FromAzure(vm.Data.Tags),
            InstanceTypeName = vm.Data.HardwareProfile?.VmSize?.ToString(),
            CreatedAt = vm.Data.TimeCreated,
        };
    }

    private async Task<string?> PrivateAddressAsync(ResourceIdentifier nicId, CancellationToken cancellationToken)
    {
        try
        {
            var nic = await _arm.GetGenericResource(nicId).GetAsync(cancellationToken);
            using var document = JsonDocument.Parse(nic.Value.Data.Properties.ToMemory());
            if (!document.RootElement.TryGetProperty("ipConfigurations", out var configurations))
            {
                return null;
            }

            foreach (var configuration in configurations.EnumerateArray())
            {
                if (configuration.TryGetProperty("properties", out var properties)
                    && properties.TryGetProperty("privateIPAddress", out var address)
                    && address.ValueKind == JsonValueKind.String)
                {
                    return address.GetString();
                }
            }

            return null;
        }
        catch (RequestFailedException exception) when (exception.Status == 404)
        {
            return null;
        }
    }

    private async Task<VirtualMachineResource?> FindVmAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            return (await _resourceGroup.GetVirtualMachineAsync(name, cancellationToken: cancellationToken)).Value;
        }
        catch (RequestFailedException exception) when (exception.Status == 404)
        {
            return null;
        }
    }

    /// <summary>Deletes the VM (its NIC and OS disk go with it) and then any NIC of that name left from a failed create.</summary>
    private async Task<bool> DeleteVmAndNicAsync(string name, CancellationToken cancellationToken)
    {
        var existed = false;
        var vm = await FindVmAsync(name, cancellationToken);
        if (vm is not null)
        {
            AzureProviderLog.Deleting(_logger, name);
            existed = vm.Data.ProvisioningState != "Deleting";
            try
            {
                var operation = await vm.DeleteAsync(WaitUntil.Started, cancellationToken: cancellationToken);
                await operation.WaitForCompletionResponseAsync(_options.PollInterval, cancellationToken);
            }
            catch (RequestFailedException exception) when (exception.Status == 404)
            {
                existed = false;
            }
        }

        try
        {
            var operation = await _arm.GetGenericResource(NicId(name)).DeleteAsync(WaitUntil.Started, cancellationToken);
            await operation.WaitForCompletionResponseAsync(_options.PollInterval, cancellationToken);
        }
        catch (RequestFailedException exception) when (exception.Status == 404)
        {
            // Already deleted with the VM.
        }

        return existed;
    }

    private async Task CleanupAsync(string name, Exception? cause)
    {
        // The caller's token may be the reason we are here; cleanup gets its own bounded budget.
        using var budget = new CancellationTokenSource(_options.CreateTimeout, _time);
        try
        {
            await DeleteVmAndNicAsync(name, budget.Token);
        }
        catch (Exception exception) when (exception is RequestFailedException or OperationCanceledException or AggregateException)
        {
            AzureProviderLog.CleanupFailed(_logger, cause ?? exception, name);
        }
    }

    private ResourceIdentifier NicId(string vmName) => new(
        $"/subscriptions/{_options.SubscriptionId}/resourceGroups/{_options.ResourceGroup}/providers/Microsoft.Network/networkInterfaces/{vmName}-nic");

    private static InstanceState MapState(string? provisioningState, string? powerState) => (provisioningState, powerState) switch
    {
        ("Deleting", _) => InstanceState.Stopping,
        (_, "PowerState/running") => InstanceState.Running,
        (_, "PowerState/starting") => InstanceState.Pending,
        (_, "PowerState/stopping" or "PowerState/deallocating") => InstanceState.Stopping,
        (_, "PowerState/stopped" or "PowerState/deallocated") => InstanceState.Stopped,
        ("Creating" or "Updating", _) => InstanceState.Pending,
        ("Succeeded", null) => InstanceState.Running,
        _ => InstanceState.Unknown,
    };

    private ProviderException Translate(Exception exception, string what, CancellationToken caller, CancellationToken deadline)
    {
        return exception switch
        {
            ProviderException provider => provider,
            OperationCanceledException when caller.IsCancellationRequested => throw new OperationCanceledException($"{what} was cancelled", exception, caller),
            OperationCanceledException when deadline.IsCancellationRequested => new ProviderException(
                ProviderErrorReason.Timeout,
                $"{what} did not finish within {_options.CreateTimeout} (Providers:Azure:CreateTimeout); what was created has been deleted.",
                exception),
            OperationCanceledException => new ProviderException(ProviderErrorReason.Timeout,
                $"{what}: ARM did not answer within {_options.NetworkTimeout} (Providers:Azure:NetworkTimeout).", exception),
            RequestFailedException failed => ArmErrorMapper.ToProviderException(failed, what),
            AggregateException aggregate => ArmErrorMapper.FromRetriesExhausted(aggregate, what),
            _ => new ProviderException(ProviderErrorReason.Internal, $"{what} failed: {exception.Message}", exception),
        };
    }
}
