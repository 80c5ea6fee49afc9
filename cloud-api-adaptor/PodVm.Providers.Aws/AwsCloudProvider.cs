using System.Globalization;
using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.Runtime;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PodVm.CloudApiAdaptor.Providers;
using Ec2InstanceType = Amazon.EC2.InstanceType;
using InstanceState = PodVm.CloudApiAdaptor.Providers.InstanceState;
using InstanceType = PodVm.CloudApiAdaptor.Providers.InstanceType;

namespace PodVm.Providers.Aws;

/// <summary>
/// Pod VMs as EC2 instances. One RunInstances per pod, with a client token derived from the sandbox id so that no
/// retry can start a second VM; the root volume is tagged like the instance and deleted with it; IMDSv2 only; SEV-SNP
/// when the pod asks for a confidential VM. Falls back to the request's next instance type when EC2 has no capacity.
/// </summary>
internal sealed class AwsCloudProvider : ICloudProvider, IDisposable
{
    /// <summary>EC2 takes at most 16 KiB of user data (before base64).</summary>
    public const int UserDataLimit = 16 * 1024;

    /// <summary>States that still hold (or will hold) resources; listing excludes terminated and shutting-down VMs.</summary>
    private static readonly List<string> LiveStates = ["pending", "running", "stopping", "stopped"];

    private readonly IAmazonEC2 _ec2;
    private readonly AwsProviderOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<AwsCloudProvider> _logger;

    public AwsCloudProvider(IAmazonEC2 ec2, IOptions<AwsProviderOptions> options, TimeProvider time, ILogger<AwsCloudProvider> logger)
    {
        _ec2 = ec2;
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    public string Name => "aws";

    public int MaxUserDataBytes => UserDataLimit;

    public void Dispose() => _ec2.Dispose();

    public async Task<ProviderInstance> CreateInstanceAsync(CreateInstanceRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.UserData.Length > UserDataLimit)
        {
            throw new ProviderException(
                ProviderErrorReason.UserDataTooLarge,
                $"user data for sandbox {request.SandboxId} is {request.UserData.Length} bytes; EC2 accepts at most {UserDataLimit}. "
                + "Shrink the pod's initdata (cc_init_data) or the policy it carries.");
        }

        var imageId = request.Image ?? _options.ImageId;
        using var deadline = new CancellationTokenSource(_options.CreateTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        var token = linked.Token;

        Instance? launched = null;
        try
        {
            launched = await LaunchAsync(request, imageId, token);
            var ready = await WaitUntilReachableAsync(request.SandboxId, launched.InstanceId, token);
            AwsProviderLog.Running(_logger, request.SandboxId, ready.Id, ready.Addresses[0].ToString());
            return ready;
        }
        catch (Exception exception) when (launched is not null)
        {
            AwsProviderLog.CleaningUp(_logger, exception, request.SandboxId, launched.InstanceId);
            await CleanupAsync(launched.InstanceId);
            throw Translate(exception, $"create of instance {launched.InstanceId} for sandbox {request.SandboxId}", cancellationToken, deadline.Token);
        }
        catch (Exception exception) when (exception is not ProviderException)
        {
            // No instance id known: either nothing was started, or EC2's answer was lost. In the second case the
            // client token makes the next create adopt that launch, and the reconciler finds it by tag otherwise.
            throw Translate(exception, $"create for sandbox {request.SandboxId}", cancellationToken, deadline.Token);
        }
    }

    public async Task<bool> DeleteInstanceAsync(string instanceId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(instanceId);
        try
        {
            var response = await CallAsync(
                "TerminateInstances",
                ct => _ec2.TerminateInstancesAsync(new TerminateInstancesRequest { InstanceIds = [instanceId] }, ct),
                cancellationToken);
            var change = response.TerminatingInstances?.FirstOrDefault(c => c.InstanceId == instanceId);
            var previous = change?.PreviousState?.Name?.Value ?? "unknown";
            AwsProviderLog.Terminating(_logger, instanceId, previous);

            // The root volume goes with the instance (DeleteOnTermination); nothing else is created per pod.
            return previous is not ("terminated" or "shutting-down");
        }
        catch (AmazonEC2Exception exception) when (Ec2ErrorMapper.IsNotFound(exception))
        {
            return false;
        }
        catch (AmazonServiceException exception)
        {
            throw Ec2ErrorMapper.ToProviderException(exception, $"terminate of instance {instanceId}");
        }
    }

    public async Task<ProviderInstance?> GetInstanceAsync(string instanceId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(instanceId);
        var instance = await DescribeAsync(instanceId, cancellationToken);
        return instance is null ? null : ToProviderInstance(instance);
    }

    public async Task<IReadOnlyList<ProviderInstance>> ListInstancesAsync(
        IReadOnlyDictionary<string, string> tagFilter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tagFilter);
        var filters = tagFilter.Select(tag => new Filter($"tag:{tag.Key}", [tag.Value])).ToList();
        filters.Add(new Filter("instance-state-name", LiveStates));

        var result = new List<ProviderInstance>();
        string? nextToken = null;
        try
        {
            do
            {
                var pageToken = nextToken;
                var response = await CallAsync(
                    "DescribeInstances",
                    ct => _ec2.DescribeInstancesAsync(
                        new DescribeInstancesRequest { Filters = filters, MaxResults = 1000, NextToken = pageToken }, ct),
                    cancellationToken);
                foreach (var reservation in response.Reservations ?? [])
                {
                    result.AddRange((reservation.Instances ?? []).Select(ToProviderInstance));
                }

                nextToken = response.NextToken;
            }
            while (!string.IsNullOrEmpty(nextToken));
        }
        catch (AmazonServiceException exception)
        {
            throw Ec2ErrorMapper.ToProviderException(exception, "listing instances by tag");
        }

        return result;
    }

    private async Task<Instance> LaunchAsync(CreateInstanceRequest request, string imageId, CancellationToken cancellationToken)
    {
        var types = new List<InstanceType> { request.InstanceType };
        types.AddRange(request.FallbackInstanceTypes.Where(t => types.TrueForAll(u => u.Name != t.Name)));

        for (var generation = 0; ; generation++)
        {
            var clientToken = ClientTokens.For(request.SandboxId, generation);
            var instance = await LaunchFirstWithCapacityAsync(request, imageId, types, clientToken, cancellationToken);
            var state = instance.State?.Name?.Value;
            if (state is not ("terminated" or "shutting-down"))
            {
                return instance;
            }

            // The token names an earlier launch that is already gone (a failed create was cleaned up): a new token
            // cannot produce a second live VM.
            if (generation + 1 >= ClientTokens.MaxGenerations)
            {
                throw new ProviderException(
                    ProviderErrorReason.InstanceFailed,
                    $"sandbox {request.SandboxId}: the last {ClientTokens.MaxGenerations} launches ended terminated ({instance.InstanceId}); "
                    + "check the pod VM image and the instance's console output.");
            }

            AwsProviderLog.NewGeneration(_logger, request.SandboxId, instance.InstanceId, generation + 1);
        }
    }

    private async Task<Instance> LaunchFirstWithCapacityAsync(
        CreateInstanceRequest request, string imageId, List<InstanceType> types, string clientToken, CancellationToken cancellationToken)
    {
        for (var i = 0; ; i++)
        {
            var type = types[i];
            AwsProviderLog.Launching(_logger, request.SandboxId, type.Name, imageId, request.Confidential);
            try
            {
                var response = await CallAsync(
                    "RunInstances",
                    ct => _ec2.RunInstancesAsync(BuildRunInstances(request, imageId, type, clientToken), ct),
                    cancellationToken);
                return response.Reservation.Instances[0];
            }
            catch (AmazonEC2Exception exception) when (exception.ErrorCode == "IdempotentParameterMismatch")
            {
                // The token already names a launch with other parameters (e.g. an earlier attempt fell back to
                // another instance type): that launch is this pod's VM.
                var existing = await FindByClientTokenAsync(clientToken, cancellationToken);
                if (existing is null)
                {
                    throw Ec2ErrorMapper.ToProviderException(exception, $"launch for sandbox {request.SandboxId}");
                }

                AwsProviderLog.Adopted(_logger, request.SandboxId, existing.InstanceId);
                return existing;
            }
            catch (AmazonServiceException exception)
                when (Ec2ErrorMapper.Reason(exception) == ProviderErrorReason.InsufficientCapacity && i + 1 < types.Count)
            {
                AwsProviderLog.FallingBack(_logger, request.SandboxId, type.Name, types[i + 1].Name);
            }
            catch (AmazonServiceException exception)
            {
                throw Ec2ErrorMapper.ToProviderException(exception, $"launch of {type.Name} for sandbox {request.SandboxId}");
            }
        }
    }

    private RunInstancesRequest BuildRunInstances(CreateInstanceRequest request, string imageId, InstanceType type, string clientToken)
    {
        var tags = new Dictionary<string, string>(request.Tags, StringComparer.Ordinal)
        {
            ["Name"] = request.InstanceName,
            [InstanceTags.SandboxId] = request.SandboxId,
            [InstanceTags.ManagedBy] = InstanceTags.ManagedByValue,
        };
        var ec2Tags = tags.Select(t => new Tag(t.Key, t.Value)).ToList();

        var run = new RunInstancesRequest
        {
            ImageId = imageId,
            InstanceType = Ec2InstanceType.FindValue(type.Name),
            MinCount = 1,
            MaxCount = 1,
            ClientToken = clientToken,
            UserData = Convert.ToBase64String(request.UserData.Span),
            MetadataOptions = new InstanceMetadataOptionsRequest
            {
                HttpTokens = HttpTokensState.Required,
                HttpEndpoint = InstanceMetadataEndpointState.Enabled,
            },
            BlockDeviceMappings =
            [
                new BlockDeviceMapping
                {
                    DeviceName = _options.RootDeviceName,
                    Ebs = new EbsBlockDevice
                    {
                        VolumeSize = _options.RootVolumeSizeGiB,
                        VolumeType = VolumeType.FindValue(_options.RootVolumeType),
                        Encrypted = _options.EncryptRootVolume,
                        KmsKeyId = _options.KmsKeyId,
                        DeleteOnTermination = true,
                    },
                },
            ],
            TagSpecifications =
            [
                new TagSpecification { ResourceType = ResourceType.Instance, Tags = ec2Tags },
                new TagSpecification { ResourceType = ResourceType.Volume, Tags = ec2Tags },
            ],
        };

        if (_options.SubnetId is { } subnetId)
        {
            run.SubnetId = subnetId;
        }

        if (_options.SecurityGroupIds.Count > 0)
        {
            run.SecurityGroupIds = [.. _options.SecurityGroupIds];
        }

        if (request.Confidential)
        {
            run.CpuOptions = new CpuOptionsRequest { AmdSevSnp = AmdSevSnpSpecification.Enabled };
        }

        if (_options.IamInstanceProfile is { } profile)
        {
            run.IamInstanceProfile = profile.StartsWith("arn:", StringComparison.Ordinal)
                ? new IamInstanceProfileSpecification { Arn = profile }
                : new IamInstanceProfileSpecification { Name = profile };
        }

        return run;
    }

    private async Task<ProviderInstance> WaitUntilReachableAsync(string sandboxId, string instanceId, CancellationToken cancellationToken)
    {
        while (true)
        {
            // Right after RunInstances, DescribeInstances may not know the id yet (eventual consistency).
            var instance = await DescribeAsync(instanceId, cancellationToken);
            if (instance is not null)
            {
                var state = instance.State?.Name?.Value;
                if (state is "terminated" or "shutting-down" or "stopping" or "stopped")
                {
                    throw new ProviderException(
                        ProviderErrorReason.InstanceFailed,
                        $"instance {instanceId} for sandbox {sandboxId} went to '{state}' while starting "
                        + $"({instance.StateReason?.Message ?? "no reason given"}); check the image and the console output.");
                }

                var view = ToProviderInstance(instance);
                if (view.State == InstanceState.Running && view.Addresses.Count > 0)
                {
                    return view;
                }
            }

            await Task.Delay(_options.PollInterval, _time, cancellationToken);
        }
    }

    private async Task<Instance?> DescribeAsync(string instanceId, CancellationToken cancellationToken)
    {
        try
        {
            var response = await CallAsync(
                "DescribeInstances",
                ct => _ec2.DescribeInstancesAsync(new DescribeInstancesRequest { InstanceIds = [instanceId] }, ct),
                cancellationToken);
            return response.Reservations?.SelectMany(r => r.Instances ?? []).FirstOrDefault(i => i.InstanceId == instanceId);
        }
        catch (AmazonEC2Exception exception) when (Ec2ErrorMapper.IsNotFound(exception))
        {
            return null;
        }
        catch (AmazonServiceException exception)
        {
            throw Ec2ErrorMapper.ToProviderException(exception, $"describe of instance {instanceId}");
        }
    }

    private async Task<Instance?> FindByClientTokenAsync(string clientToken, CancellationToken cancellationToken)
    {
        var response = await CallAsync(
            "DescribeInstances",
            ct => _ec2.DescribeInstancesAsync(
                new DescribeInstancesRequest { Filters = [new Filter("client-token", [clientToken])] }, ct),
            cancellationToken);
        return response.Reservations?.SelectMany(r => r.Instances ?? []).FirstOrDefault();
    }

    /// <summary>
    /// One EC2 call with PodVm's back-off on top of the SDK's own retries: throttling, 5xx and lost answers are tried
    /// again after an exponentially growing, fully jittered delay, up to <see cref="AwsProviderOptions.MaxAttempts"/>.
    /// Every call made here is safe to repeat (RunInstances carries its client token).
    /// </summary>
    private async Task<T> CallAsync<T>(string operation, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            string reason;
            try
            {
                return await call(cancellationToken);
            }
            catch (AmazonServiceException exception)
                when (attempt < _options.MaxAttempts
                    && Ec2ErrorMapper.Reason(exception) is ProviderErrorReason.Throttled or ProviderErrorReason.Unavailable)
            {
                reason = exception.ErrorCode ?? ((int)exception.StatusCode).ToString(CultureInfo.InvariantCulture);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && attempt < _options.MaxAttempts)
            {
                reason = "request timeout";
            }
            catch (HttpRequestException exception) when (attempt < _options.MaxAttempts)
            {
                reason = exception.Message;
            }

            var delay = Backoff.Delay(attempt - 1, _options.BackoffBase, _options.BackoffMax);
            AwsProviderLog.Retrying(_logger, operation, reason, attempt, delay);
            await Task.Delay(delay, _time, cancellationToken);
        }
    }

    private async Task CleanupAsync(string instanceId)
    {
        // The caller's token may be the reason we are here; cleanup gets its own bounded budget.
        using var cleanup = new CancellationTokenSource(_options.CreateTimeout, _time);
        try
        {
            await DeleteInstanceAsync(instanceId, cleanup.Token);
        }
        catch (Exception exception) when (exception is ProviderException or OperationCanceledException or AmazonServiceException)
        {
            AwsProviderLog.CleanupFailed(_logger, exception, instanceId);
        }
    }

    private Exception Translate(Exception exception, string what, CancellationToken caller, CancellationToken deadline)
    {
        return exception switch
        {
            ProviderException => exception,
            OperationCanceledException when caller.IsCancellationRequested => exception,
            OperationCanceledException when deadline.IsCancellationRequested => new ProviderException(
                ProviderErrorReason.Timeout,
                $"{what} did not finish within {_options.CreateTimeout} (Providers:Aws:CreateTimeout); the VM was not running with an address in time.",
                exception),
            OperationCanceledException => new ProviderException(
                ProviderErrorReason.Timeout,
                $"{what}: EC2 did not answer within {_options.RequestTimeout} (Providers:Aws:RequestTimeout).",
                exception),
            AmazonServiceException service => Ec2ErrorMapper.ToProviderException(service, what),
            HttpRequestException => new ProviderException(ProviderErrorReason.Unavailable, $"{what}: EC2 could not be reached: {exception.Message}", exception),
            _ => new ProviderException(ProviderErrorReason.Internal, $"{what} failed: {exception.Message}", exception),
        };
    }

    private ProviderInstance ToProviderInstance(Instance instance)
    {
        var tags = (instance.Tags ?? []).ToDictionary(t => t.Key, t => t.Value ?? string.Empty, StringComparer.Ordinal);
        var state = (instance.State?.Name?.Value) switch
        {
            "pending" => InstanceState.Pending,
            "running" => InstanceState.Running,
            "shutting-down" or "stopping" => InstanceState.Stopping,
            "stopped" => InstanceState.Stopped,
            "terminated" => InstanceState.Terminated,
            _ => InstanceState.Unknown,
        };

        var addresses = new List<InstanceAddress>();
        var host = _options.UsePublicAddress ? instance.PublicIpAddress : instance.PrivateIpAddress;
        if (!string.IsNullOrEmpty(host) && state == InstanceState.Running)
        {
            addresses.Add(new InstanceAddress(host, InstanceAddress.ForwarderPort, _options.UsePublicAddress ? AddressKind.Public : AddressKind.Private));
        }

        return new ProviderInstance
        {
            Id = instance.InstanceId,
            Name = tags.GetValueOrDefault("Name") ?? instance.InstanceId,
            State = state,
            Addresses = addresses,
            Tags = tags,
            InstanceTypeName = instance.InstanceType?.Value,
            CreatedAt = instance.LaunchTime is { } launched ? new DateTimeOffset(DateTime.SpecifyKind(launched, DateTimeKind.Utc)) : null,
        };
    }
}
