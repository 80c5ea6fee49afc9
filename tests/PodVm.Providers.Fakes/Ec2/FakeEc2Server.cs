using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace PodVm.Providers.Fakes.Ec2;

/// <summary>
/// A wire-level fake of the EC2 Query API (version 2016-11-15) on 127.0.0.1: RunInstances, DescribeInstances and
/// TerminateInstances as the AWS SDK sends them (form-encoded POST, SigV4-signed) and as EC2 answers them (XML in the
/// 2016-11-15 namespace, errors as Response/Errors/Error). Every parameter is checked the way EC2 checks it, plus the
/// rules PodVm promises (IMDSv2 required, a client token, tags on instance and volume, volumes deleted on
/// termination); anything else is recorded in <see cref="Violations"/>.
/// </summary>
public sealed partial class FakeEc2Server : IAsyncDisposable
{
    public const string ApiVersion = "2016-11-15";
    public const int MaxUserDataBytes = 16 * 1024;
    public const string DefaultImageId = "ami-0123456789abcdef0";
    public const string DefaultSubnetId = "subnet-0a1b2c3d4e5f60718";
    public const string DefaultSecurityGroupId = "sg-0a1b2c3d4e5f60718";

    private static readonly XNamespace Ns = "http://ec2.amazonaws.com/doc/2016-11-15/";

    private static readonly HashSet<string> SevSnpFamilies = new(StringComparer.Ordinal) { "m6a", "c6a", "r6a" };

    private static readonly HashSet<string> VolumeTypes = new(StringComparer.Ordinal)
    {
        "standard", "io1", "io2", "gp2", "gp3", "sc1", "st1",
    };

    private readonly WebApplication _app;
    private readonly object _lock = new();
    private readonly Dictionary<string, FakeEc2Instance> _instances = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _tokens = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConcurrentQueue<Ec2Fault>> _faults = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _requestCounts = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<(string Action, IReadOnlyDictionary<string, string> Parameters)> _requests = new();
    private int _nextAddress;

    private FakeEc2Server(WebApplication app)
    {
        _app = app;
    }

    public Uri Endpoint { get; private set; } = null!;

    public FakeViolations Violations { get; } = new();

    /// <summary>How many DescribeInstances answers show an instance as pending (or shutting-down) before it moves on.</summary>
    public int DescribesUntilRunning { get; set; } = 1;

    /// <summary>When set, new instances go from pending to terminated instead of running (a failed boot).</summary>
    public bool FailBoot { get; set; }

    /// <summary>When false, running instances never get a private address (a VM that never becomes reachable).</summary>
    public bool AssignAddresses { get; set; } = true;

    /// <summary>Page size for DescribeInstances when the client pages with MaxResults.</summary>
    public int? ForcedPageSize { get; set; }

    public ISet<string> KnownImages { get; } = new HashSet<string>(StringComparer.Ordinal) { DefaultImageId };

    public ISet<string> KnownSubnets { get; } = new HashSet<string>(StringComparer.Ordinal) { DefaultSubnetId };

    public ISet<string> KnownSecurityGroups { get; } = new HashSet<string>(StringComparer.Ordinal) { DefaultSecurityGroupId };

    /// <summary>Instance types EC2 has no capacity for: RunInstances answers InsufficientInstanceCapacity.</summary>
    public ISet<string> TypesWithoutCapacity { get; } = new HashSet<string>(StringComparer.Ordinal);

    public static async Task<FakeEc2Server> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var server = new FakeEc2Server(app);
        app.MapPost("/", server.HandleAsync);
        app.MapFallback(context =>
        {
            server.Violations.Add($"{context.Request.Method} {context.Request.Path}: EC2 only takes POST /");
            context.Response.StatusCode = 400;
            return Task.CompletedTask;
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!
            .Addresses.First();
        server.Endpoint = new Uri(address.Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal) + "/");
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>Queues <paramref name="fault"/> for the next <paramref name="times"/> requests of <paramref name="action"/>.</summary>
    public void EnqueueFault(string action, Ec2Fault fault, int times = 1)
    {
        var queue = _faults.GetOrAdd(action, _ => new ConcurrentQueue<Ec2Fault>());
        for (var i = 0; i < times; i++)
        {
            queue.Enqueue(fault);
        }
    }

    public int RequestCount(string action) => _requestCounts.GetValueOrDefault(action);

    public IReadOnlyList<IReadOnlyDictionary<string, string>> Requests(string action) =>
        _requests.Where(r => r.Action == action).Select(r => r.Parameters).ToList();

    public IReadOnlyList<FakeEc2Instance> Instances
    {
        get
        {
            lock (_lock)
            {
                return _instances.Values.ToList();
            }
        }
    }

    /// <summary>Instances not terminated (what would still cost money).</summary>
    public int LiveInstanceCount
    {
        get
        {
            lock (_lock)
            {
                return _instances.Values.Count(i => i.State is not "terminated" and not "shutting-down");
            }
        }
    }

    /// <summary>Volumes that still exist (a leak when their instance is gone).</summary>
    public int LiveVolumeCount
    {
        get
        {
            lock (_lock)
            {
                return _instances.Values.SelectMany(i => i.Volumes).Count(v => !v.Deleted);
            }
        }
    }

    /// <summary>Creates an instance as if another process had launched it (e.g. an orphan for the reconciler).</summary>
    public string AddInstance(string instanceType, IReadOnlyDictionary<string, string> tags, string state = "running")
    {
        lock (_lock)
        {
            var instance = NewInstance(new Dictionary<string, string>(StringComparer.Ordinal), instanceType, DefaultImageId,
                "external-" + Guid.NewGuid().ToString("N"), tags, null);
            instance.State = state;
            if (state == "running")
            {
                AssignAddress(instance);
            }

            _instances[instance.InstanceId] = instance;
            return instance.InstanceId;
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        if (!request.HasFormContentType)
        {
            Violations.Add($"request without form content type ({request.ContentType})");
            await WriteErrorAsync(context, 400, "MissingParameter", "The request must contain the parameter Action");
            return;
        }

        var form = await request.ReadFormAsync(context.RequestAborted);
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in form)
        {
            if (value.Count != 1)
            {
                Violations.Add($"parameter {key} given {value.Count} times");
            }

            parameters[key] = value.ToString();
        }

        var action = parameters.GetValueOrDefault("Action") ?? string.Empty;
        _requestCounts.AddOrUpdate(action, 1, (_, n) => n + 1);
        _requests.Enqueue((action, parameters));

        if (!CheckEnvelope(context, parameters, action, out var envelopeError))
        {
            await WriteErrorAsync(context, 400, envelopeError.Code, envelopeError.Message);
            return;
        }

        Ec2Fault? fault = null;
        if (_faults.TryGetValue(action, out var queue))
        {
            queue.TryDequeue(out fault);
        }

        if (fault is not null && !fault.ProcessFirst && fault.Delay > TimeSpan.Zero)
        {
            await Task.Delay(fault.Delay, context.RequestAborted);
        }

        if (fault?.ErrorCode is not null)
        {
            await WriteErrorAsync(context, fault.StatusCode, fault.ErrorCode, $"scripted fault {fault.ErrorCode}");
            return;
        }

        var result = action switch
        {
            "RunInstances" => RunInstances(parameters),
            "DescribeInstances" => DescribeInstances(parameters),
            "TerminateInstances" => TerminateInstances(parameters),
            _ => Unsupported(action),
        };

        if (fault is not null && fault.ProcessFirst && fault.Delay > TimeSpan.Zero)
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

        if (result.Error is { } error)
        {
            await WriteErrorAsync(context, error.Status, error.Code, error.Message);
            return;
        }

        context.Response.StatusCode = 200;
        context.Response.ContentType = "text/xml;charset=UTF-8";
        await context.Response.WriteAsync(result.Body!.ToString(SaveOptions.DisableFormatting), context.RequestAborted);
    }

    private bool CheckEnvelope(HttpContext context, Dictionary<string, string> parameters, string action, out Ec2Error error)
    {
        error = default;
        var authorization = context.Request.Headers.Authorization.ToString();
        if (!authorization.StartsWith("AWS4-HMAC-SHA256 Credential=", StringComparison.Ordinal)
            || !authorization.Contains("/ec2/aws4_request", StringComparison.Ordinal)
            || !authorization.Contains("Signature=", StringComparison.Ordinal))
        {
            Violations.Add($"{action}: missing or malformed SigV4 Authorization header '{authorization}'");
            error = new Ec2Error(401, "AuthFailure", "AWS was not able to validate the provided access credentials");
            return false;
        }

        if (string.IsNullOrEmpty(context.Request.Headers["X-Amz-Date"]))
        {
            Violations.Add($"{action}: missing X-Amz-Date header");
        }

        if (parameters.GetValueOrDefault("Version") != ApiVersion)
        {
            Violations.Add($"{action}: Version '{parameters.GetValueOrDefault("Version")}' is not {ApiVersion}");
            error = new Ec2Error(400, "InvalidParameterValue", "Invalid API version");
            return false;
        }

        if (action.Length == 0)
        {
            Violations.Add("request without Action");
            error = new Ec2Error(400, "MissingAction", "The request must contain the parameter Action");
            return false;
        }

        return true;
    }

    private Ec2Result Unsupported(string action)
    {
        Violations.Add($"action {action} is not one PodVm is expected to call");
        return Ec2Result.Fail(400, "InvalidAction", $"The action {action} is not valid for this web service.");
    }

    private Ec2Result RunInstances(Dictionary<string, string> p)
    {
        CheckKnownParameters("RunInstances", p, RunInstancesParameters());

        var imageId = p.GetValueOrDefault("ImageId");
        if (imageId is null)
        {
            Violations.Add("RunInstances without ImageId");
            return Ec2Result.Fail(400, "MissingParameter", "The request must contain the parameter ImageId");
        }

        if (!ImageIdPattern().IsMatch(imageId))
        {
            return Ec2Result.Fail(400, "InvalidAMIID.Malformed", $"Invalid id: \"{imageId}\"");
        }

        var instanceType = p.GetValueOrDefault("InstanceType");
        if (instanceType is null)
        {
            Violations.Add("RunInstances without InstanceType (EC2 would silently pick m1.small)");
            return Ec2Result.Fail(400, "MissingParameter", "The request must contain the parameter InstanceType");
        }

        if (p.GetValueOrDefault("MinCount") != "1" || p.GetValueOrDefault("MaxCount") != "1")
        {
            Violations.Add($"RunInstances MinCount/MaxCount must be 1/1 for one pod (got {p.GetValueOrDefault("MinCount")}/{p.GetValueOrDefault("MaxCount")})");
            return Ec2Result.Fail(400, "InvalidParameterValue", "MinCount and MaxCount must be given");
        }

        var token = p.GetValueOrDefault("ClientToken");
        if (string.IsNullOrEmpty(token))
        {
            Violations.Add("RunInstances without ClientToken: a retried call could start a second VM");
        }
        else if (token.Length > 64 || token.Any(c => c > 127))
        {
            return Ec2Result.Fail(400, "InvalidParameterValue", "ClientToken must be at most 64 ASCII characters");
        }

        if (p.GetValueOrDefault("MetadataOptions.HttpTokens") != "required")
        {
            Violations.Add("RunInstances without MetadataOptions.HttpTokens=required (IMDSv1 left open)");
        }

        if (p.TryGetValue("MetadataOptions.HttpEndpoint", out var httpEndpoint) && httpEndpoint is not ("enabled" or "disabled"))
        {
            return Ec2Result.Fail(400, "InvalidParameterValue", $"Invalid HttpEndpoint {httpEndpoint}");
        }

        string? userData = null;
        if (p.TryGetValue("UserData", out var userDataValue))
        {
            byte[] decoded;
            try
            {
                decoded = Convert.FromBase64String(userDataValue);
            }
            catch (FormatException)
            {
                Violations.Add("RunInstances UserData is not valid base64");
                return Ec2Result.Fail(400, "InvalidParameterValue", "Invalid BASE64 encoding of user data.");
            }

            if (decoded.Length > MaxUserDataBytes)
            {
                Violations.Add($"RunInstances UserData of {decoded.Length} bytes exceeds {MaxUserDataBytes}: the provider must refuse it first");
                return Ec2Result.Fail(400, "InvalidParameterValue", $"User data is limited to {MaxUserDataBytes} bytes");
            }

            userData = userDataValue;
        }

        if (p.TryGetValue("SubnetId", out var subnetId) && !KnownSubnets.Contains(subnetId))
        {
            return Ec2Result.Fail(400, "InvalidSubnetID.NotFound", $"The subnet ID '{subnetId}' does not exist");
        }

        foreach (var group in Indexed(p, "SecurityGroupId"))
        {
            if (!KnownSecurityGroups.Contains(group))
            {
                return Ec2Result.Fail(400, "InvalidGroup.NotFound", $"The security group '{group}' does not exist");
            }
        }

        var sevSnp = p.GetValueOrDefault("CpuOptions.AmdSevSnp");
        if (sevSnp is not null and not ("enabled" or "disabled"))
        {
            return Ec2Result.Fail(400, "InvalidParameterValue", $"Invalid value '{sevSnp}' for CpuOptions.AmdSevSnp");
        }

        if (sevSnp == "enabled" && !SevSnpFamilies.Contains(instanceType.Split('.')[0]))
        {
            return Ec2Result.Fail(400, "UnsupportedOperation",
                $"AMD SEV-SNP is not supported for instance type {instanceType}");
        }

        var tagResult = ParseTagSpecifications(p, out var instanceTags, out var volumeTags);
        if (tagResult is not null)
        {
            return tagResult.Value;
        }

        var volumes = new List<(string Device, int Size, string Type, bool Encrypted, bool DeleteOnTermination)>();
        for (var n = 1; p.ContainsKey($"BlockDeviceMapping.{n}.DeviceName") || p.Keys.Any(k => k.StartsWith($"BlockDeviceMapping.{n}.", StringComparison.Ordinal)); n++)
        {
            var prefix = $"BlockDeviceMapping.{n}.";
            var device = p.GetValueOrDefault(prefix + "DeviceName");
            if (device is null)
            {
                return Ec2Result.Fail(400, "MissingParameter", $"The request must contain the parameter {prefix}DeviceName");
            }

            if (!int.TryParse(p.GetValueOrDefault(prefix + "Ebs.VolumeSize", "8"), NumberStyles.None, CultureInfo.InvariantCulture, out var size)
                || size is < 1 or > 16384)
            {
                return Ec2Result.Fail(400, "InvalidParameterValue", $"Volume size for {device} must be 1..16384 GiB");
            }

            var type = p.GetValueOrDefault(prefix + "Ebs.VolumeType", "gp2");
            if (!VolumeTypes.Contains(type))
            {
                return Ec2Result.Fail(400, "InvalidParameterValue", $"Value ({type}) for parameter volumeType is invalid.");
            }

            if (!TryBool(p, prefix + "Ebs.Encrypted", out var encrypted) || !TryBool(p, prefix + "Ebs.DeleteOnTermination", out var deleteOnTermination))
            {
                return Ec2Result.Fail(400, "InvalidParameterValue", "Encrypted and DeleteOnTermination must be true or false");
            }

            if (p.ContainsKey(prefix + "Ebs.KmsKeyId") && !encrypted)
            {
                return Ec2Result.Fail(400, "InvalidParameterDependency", "KmsKeyId requires Encrypted=true");
            }

            if (!deleteOnTermination)
            {
                Violations.Add($"RunInstances volume {device} without DeleteOnTermination=true: it would outlive the VM");
            }

            volumes.Add((device, size, type, encrypted, deleteOnTermination));
        }

        lock (_lock)
        {
            if (token is not null && _tokens.TryGetValue(token, out var existingId))
            {
                var existing = _instances[existingId];
                if (!SameLaunch(existing.Parameters, p))
                {
                    return Ec2Result.Fail(400, "IdempotentParameterMismatch",
                        "The client token you have provided is associated with a resource that is already in use with different parameters.");
                }

                return Ec2Result.Ok(Reservation("RunInstancesResponse", existing));
            }

            if (TypesWithoutCapacity.Contains(instanceType))
            {
                return Ec2Result.Fail(500, "InsufficientInstanceCapacity",
                    $"We currently do not have sufficient {instanceType} capacity in the Availability Zone you requested.");
            }

            if (!KnownImages.Contains(imageId))
            {
                return Ec2Result.Fail(400, "InvalidAMIID.NotFound", $"The image id '[{imageId}]' does not exist");
            }

            var instance = NewInstance(p, instanceType, imageId, token ?? Guid.NewGuid().ToString("N"), instanceTags, userData);
            foreach (var volume in volumes)
            {
                instance.Volumes.Add(new FakeEc2Volume
                {
                    VolumeId = "vol-" + RandomHex(17),
                    DeviceName = volume.Device,
                    SizeGiB = volume.Size,
                    VolumeType = volume.Type,
                    Encrypted = volume.Encrypted,
                    DeleteOnTermination = volume.DeleteOnTermination,
                    Tags = volumeTags,
                });
            }

            _instances[instance.InstanceId] = instance;
            if (token is not null)
            {
                _tokens[token] = instance.InstanceId;
            }

            return Ec2Result.Ok(Reservation("RunInstancesResponse", instance));
        }
    }

    private FakeEc2Instance NewInstance(
        IReadOnlyDictionary<string, string> parameters,
        string instanceType,
        string imageId,
        string token,
        IReadOnlyDictionary<string, string> tags,
        string? userData) => new()
        {
            InstanceId = "i-" + RandomHex(17),
            ReservationId = "r-" + RandomHex(17),
            ImageId = imageId,
            InstanceType = instanceType,
            ClientToken = token,
            LaunchTime = DateTimeOffset.UtcNow,
            Tags = tags,
            Parameters = new Dictionary<string, string>(parameters, StringComparer.Ordinal),
            SubnetId = parameters.GetValueOrDefault("SubnetId"),
            AmdSevSnp = parameters.GetValueOrDefault("CpuOptions.AmdSevSnp"),
            HttpTokens = parameters.GetValueOrDefault("MetadataOptions.HttpTokens"),
            UserDataBase64 = userData,
            DescribesUntilNextState = DescribesUntilRunning,
            FailsToBoot = FailBoot,
        };

    private Ec2Result? ParseTagSpecifications(
        Dictionary<string, string> p,
        out IReadOnlyDictionary<string, string> instanceTags,
        out IReadOnlyDictionary<string, string> volumeTags)
    {
        instanceTags = new Dictionary<string, string>();
        volumeTags = new Dictionary<string, string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var n = 1; p.Keys.Any(k => k.StartsWith($"TagSpecification.{n}.", StringComparison.Ordinal)); n++)
        {
            var prefix = $"TagSpecification.{n}.";
            var resourceType = p.GetValueOrDefault(prefix + "ResourceType");
            if (resourceType is null)
            {
                Violations.Add($"{prefix}ResourceType missing");
                return Ec2Result.Fail(400, "MissingParameter", $"The request must contain the parameter {prefix}ResourceType");
            }

            if (resourceType is not ("instance" or "volume" or "network-interface" or "spot-instances-request"))
            {
                return Ec2Result.Fail(400, "InvalidParameterValue", $"'{resourceType}' is not a valid taggable resource type for this operation.");
            }

            if (!seen.Add(resourceType))
            {
                return Ec2Result.Fail(400, "InvalidParameterValue", $"The same resource type ({resourceType}) may not be specified more than once");
            }

            var tags = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var m = 1; p.Keys.Any(k => k.StartsWith($"{prefix}Tag.{m}.", StringComparison.Ordinal)); m++)
            {
                var key = p.GetValueOrDefault($"{prefix}Tag.{m}.Key");
                var value = p.GetValueOrDefault($"{prefix}Tag.{m}.Value", string.Empty);
                if (string.IsNullOrEmpty(key))
                {
                    Violations.Add($"{prefix}Tag.{m} without Key");
                    return Ec2Result.Fail(400, "InvalidParameterValue", "Tag keys must not be empty");
                }

                if (key.Length > 128 || value.Length > 256 || key.StartsWith("aws:", StringComparison.OrdinalIgnoreCase))
                {
                    Violations.Add($"tag '{key}' breaks EC2 tag rules (key <= 128, value <= 256, no aws: prefix)");
                    return Ec2Result.Fail(400, "InvalidParameterValue", $"Invalid tag {key}");
                }

                if (!tags.TryAdd(key, value))
                {
                    return Ec2Result.Fail(400, "InvalidParameterValue", $"Duplicate tag key '{key}'");
                }
            }

            if (tags.Count > 50)
            {
                return Ec2Result.Fail(400, "TagLimitExceeded", "The maximum number of tags per resource is 50");
            }

            if (resourceType == "instance")
            {
                instanceTags = tags;
            }
            else if (resourceType == "volume")
            {
                volumeTags = tags;
            }
        }

        if (instanceTags.Count == 0 || volumeTags.Count == 0)
        {
            Violations.Add("RunInstances must tag both the instance and its volumes (the reconciler finds leaks by tag)");
        }

        return null;
    }

    private Ec2Result DescribeInstances(Dictionary<string, string> p)
    {
        CheckKnownParameters("DescribeInstances", p,
        [
            InstanceIdPattern(), FilterNamePattern(), FilterValuePattern(), MaxResultsPattern(), NextTokenPattern(),
        ]);

        var ids = Indexed(p, "InstanceId").ToList();
        foreach (var id in ids)
        {
            if (!InstanceIdValuePattern().IsMatch(id))
            {
                return Ec2Result.Fail(400, "InvalidInstanceID.Malformed", $"Invalid id: \"{id}\"");
            }
        }

        int? maxResults = null;
        if (p.TryGetValue("MaxResults", out var maxText))
        {
            if (ids.Count > 0)
            {
                Violations.Add("DescribeInstances with both InstanceId and MaxResults");
                return Ec2Result.Fail(400, "InvalidParameterCombination", "The parameter instancesSet cannot be used with the parameter maxResults");
            }

            if (!int.TryParse(maxText, NumberStyles.None, CultureInfo.InvariantCulture, out var max) || max is < 5 or > 1000)
            {
                return Ec2Result.Fail(400, "InvalidParameterValue", "Value for parameter maxResults is invalid. Expecting a value between 5 and 1000.");
            }

            maxResults = ForcedPageSize ?? max;
        }

        var filters = new List<(string Name, List<string> Values)>();
        for (var n = 1; p.ContainsKey($"Filter.{n}.Name"); n++)
        {
            var name = p[$"Filter.{n}.Name"];
            var values = Indexed(p, $"Filter.{n}.Value").ToList();
            if (values.Count == 0)
            {
                Violations.Add($"Filter {name} without values");
                return Ec2Result.Fail(400, "InvalidParameterValue", $"The filter '{name}' requires a value");
            }

            if (!(name.StartsWith("tag:", StringComparison.Ordinal) || name is "tag-key" or "instance-state-name" or "client-token" or "instance-id"))
            {
                Violations.Add($"DescribeInstances filter '{name}' is not one this fake implements");
                return Ec2Result.Fail(400, "InvalidParameterValue", $"The filter '{name}' is invalid");
            }

            filters.Add((name, values));
        }

        lock (_lock)
        {
            var matches = new List<FakeEc2Instance>();
            foreach (var id in ids)
            {
                if (!_instances.TryGetValue(id, out var instance))
                {
                    return Ec2Result.Fail(400, "InvalidInstanceID.NotFound", $"The instance ID '{id}' does not exist");
                }

                matches.Add(instance);
            }

            if (ids.Count == 0)
            {
                matches.AddRange(_instances.Values.OrderBy(i => i.LaunchTime).ThenBy(i => i.InstanceId, StringComparer.Ordinal));
            }

            foreach (var instance in matches)
            {
                Advance(instance);
            }

            matches = matches.Where(i => filters.All(f => Matches(i, f.Name, f.Values))).ToList();

            var start = 0;
            if (p.TryGetValue("NextToken", out var nextToken)
                && !int.TryParse(nextToken, NumberStyles.None, CultureInfo.InvariantCulture, out start))
            {
                return Ec2Result.Fail(400, "InvalidParameterValue", "Invalid NextToken");
            }

            var page = maxResults is { } size ? matches.Skip(start).Take(size).ToList() : matches;
            var next = maxResults is { } s2 && start + s2 < matches.Count ? (start + s2).ToString(CultureInfo.InvariantCulture) : null;

            var body = new XElement(Ns + "DescribeInstancesResponse",
                new XElement(Ns + "requestId", Guid.NewGuid()),
                new XElement(Ns + "reservationSet",
                    page.Select(i => new XElement(Ns + "item",
                        new XElement(Ns + "reservationId", i.ReservationId),
                        new XElement(Ns + "ownerId", "123456789012"),
                        new XElement(Ns + "groupSet"),
                        new XElement(Ns + "instancesSet", InstanceXml(i))))));
            if (next is not null)
            {
                body.Add(new XElement(Ns + "nextToken", next));
            }

            return Ec2Result.Ok(body);
        }
    }

    private Ec2Result TerminateInstances(Dictionary<string, string> p)
    {
        CheckKnownParameters("TerminateInstances", p, [InstanceIdPattern()]);
        var ids = Indexed(p, "InstanceId").ToList();
        if (ids.Count == 0)
        {
            Violations.Add("TerminateInstances without InstanceId");
            return Ec2Result.Fail(400, "MissingParameter", "The request must contain the parameter InstanceId");
        }

        foreach (var id in ids)
        {
            if (!InstanceIdValuePattern().IsMatch(id))
            {
                return Ec2Result.Fail(400, "InvalidInstanceID.Malformed", $"Invalid id: \"{id}\"");
            }
        }

        lock (_lock)
        {
            var unknown = ids.FirstOrDefault(id => !_instances.ContainsKey(id));
            if (unknown is not null)
            {
                return Ec2Result.Fail(400, "InvalidInstanceID.NotFound", $"The instance ID '{unknown}' does not exist");
            }

            var items = new List<XElement>();
            foreach (var id in ids)
            {
                var instance = _instances[id];
                var previous = instance.State;
                if (previous is not ("terminated" or "shutting-down"))
                {
                    instance.State = "shutting-down";
                    instance.DescribesUntilNextState = 0;
                }

                items.Add(new XElement(Ns + "item",
                    new XElement(Ns + "instanceId", id),
                    StateXml("currentState", instance.State),
                    StateXml("previousState", previous)));
            }

            return Ec2Result.Ok(new XElement(Ns + "TerminateInstancesResponse",
                new XElement(Ns + "requestId", Guid.NewGuid()),
                new XElement(Ns + "instancesSet", items)));
        }
    }

    private void Advance(FakeEc2Instance instance)
    {
        if (instance.State is not ("pending" or "shutting-down"))
        {
            return;
        }

        if (instance.DescribesUntilNextState-- > 0)
        {
            return;
        }

        if (instance.State == "shutting-down" || instance.FailsToBoot)
        {
            instance.State = "terminated";
            foreach (var volume in instance.Volumes.Where(v => v.DeleteOnTermination))
            {
                volume.Deleted = true;
            }

            return;
        }

        instance.State = "running";
        if (AssignAddresses)
        {
            AssignAddress(instance);
        }
    }

    private void AssignAddress(FakeEc2Instance instance)
    {
        // Documentation ranges (RFC 5737): nothing is ever sent to these addresses.
        var n = Interlocked.Increment(ref _nextAddress);
        instance.PrivateIpAddress = $"192.0.2.{(n % 250) + 1}";
        instance.PublicIpAddress = $"198.51.100.{(n % 250) + 1}";
    }

    private static bool Matches(FakeEc2Instance instance, string name, List<string> values) => name switch
    {
        "instance-state-name" => values.Contains(instance.State),
        "client-token" => values.Contains(instance.ClientToken),
        "instance-id" => values.Contains(instance.InstanceId),
        "tag-key" => instance.Tags.Keys.Any(values.Contains),
        _ => instance.Tags.TryGetValue(name["tag:".Length..], out var v) && values.Contains(v),
    };

    private XElement Reservation(string root, FakeEc2Instance instance) =>
        new(Ns + root,
            new XElement(Ns + "requestId", Guid.NewGuid()),
            new XElement(Ns + "reservationId", instance.ReservationId),
            new XElement(Ns + "ownerId", "123456789012"),
            new XElement(Ns + "groupSet"),
            new XElement(Ns + "instancesSet", InstanceXml(instance)));

    private static XElement InstanceXml(FakeEc2Instance i)
    {
        var item = new XElement(Ns + "item",
            new XElement(Ns + "instanceId", i.InstanceId),
            new XElement(Ns + "imageId", i.ImageId),
            StateXml("instanceState", i.State),
            new XElement(Ns + "privateDnsName", i.PrivateIpAddress is null ? string.Empty : $"ip-{i.PrivateIpAddress.Replace('.', '-')}.ec2.internal"),
            new XElement(Ns + "dnsName", string.Empty),
            new XElement(Ns + "amiLaunchIndex", 0),
            new XElement(Ns + "instanceType", i.InstanceType),
            new XElement(Ns + "launchTime", i.LaunchTime.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture)),
            new XElement(Ns + "clientToken", i.ClientToken),
            new XElement(Ns + "tagSet", i.Tags.Select(t => new XElement(Ns + "item", new XElement(Ns + "key", t.Key), new XElement(Ns + "value", t.Value)))),
            new XElement(Ns + "blockDeviceMapping", i.Volumes.Where(v => !v.Deleted).Select(v => new XElement(Ns + "item",
                new XElement(Ns + "deviceName", v.DeviceName),
                new XElement(Ns + "ebs",
                    new XElement(Ns + "volumeId", v.VolumeId),
                    new XElement(Ns + "status", "attached"),
                    new XElement(Ns + "deleteOnTermination", v.DeleteOnTermination ? "true" : "false"))))),
            new XElement(Ns + "metadataOptions",
                new XElement(Ns + "state", "applied"),
                new XElement(Ns + "httpTokens", i.HttpTokens ?? "optional"),
                new XElement(Ns + "httpEndpoint", "enabled")));
        if (i.SubnetId is not null)
        {
            item.Add(new XElement(Ns + "subnetId", i.SubnetId));
        }

        if (i.PrivateIpAddress is not null && i.State == "running")
        {
            item.Add(new XElement(Ns + "privateIpAddress", i.PrivateIpAddress));
            item.Add(new XElement(Ns + "ipAddress", i.PublicIpAddress));
        }

        if (i.AmdSevSnp is not null)
        {
            item.Add(new XElement(Ns + "cpuOptions",
                new XElement(Ns + "coreCount", 1),
                new XElement(Ns + "threadsPerCore", 2),
                new XElement(Ns + "amdSevSnp", i.AmdSevSnp)));
        }

        return item;
    }

    private static XElement StateXml(string name, string state) =>
        new(Ns + name, new XElement(Ns + "code", FakeEc2Instance.StateCode(state)), new XElement(Ns + "name", state));

    private static bool SameLaunch(IReadOnlyDictionary<string, string> first, IReadOnlyDictionary<string, string> second)
    {
        static IEnumerable<KeyValuePair<string, string>> Relevant(IReadOnlyDictionary<string, string> p) =>
            p.Where(kv => kv.Key is not ("Action" or "Version")).OrderBy(kv => kv.Key, StringComparer.Ordinal);

        return Relevant(first).SequenceEqual(Relevant(second));
    }

    private void CheckKnownParameters(string action, Dictionary<string, string> p, Regex[] allowed)
    {
        foreach (var key in p.Keys)
        {
            if (key is "Action" or "Version")
            {
                continue;
            }

            if (!allowed.Any(r => r.IsMatch(key)))
            {
                Violations.Add($"{action}: parameter '{key}' is not part of the API (or not one PodVm should send)");
            }
        }
    }

    private static Regex[] RunInstancesParameters() =>
    [
        new("^(ImageId|InstanceType|MinCount|MaxCount|ClientToken|UserData|SubnetId|KeyName|EbsOptimized)$"),
        new(@"^SecurityGroupId\.\d+$"),
        new(@"^MetadataOptions\.(HttpTokens|HttpEndpoint|HttpPutResponseHopLimit|InstanceMetadataTags)$"),
        new(@"^BlockDeviceMapping\.\d+\.(DeviceName|Ebs\.(VolumeSize|VolumeType|Encrypted|DeleteOnTermination|KmsKeyId|Iops|Throughput))$"),
        new(@"^CpuOptions\.(AmdSevSnp|CoreCount|ThreadsPerCore)$"),
        new(@"^TagSpecification\.\d+\.(ResourceType|Tag\.\d+\.(Key|Value))$"),
        new(@"^IamInstanceProfile\.(Arn|Name)$"),
    ];

    private static IEnumerable<string> Indexed(Dictionary<string, string> p, string prefix)
    {
        for (var n = 1; p.TryGetValue($"{prefix}.{n}", out var value); n++)
        {
            yield return value;
        }
    }

    private static bool TryBool(Dictionary<string, string> p, string key, out bool value)
    {
        value = false;
        if (!p.TryGetValue(key, out var text))
        {
            return true;
        }

        return bool.TryParse(text, out value) && text is "true" or "false";
    }

    private static string RandomHex(int length) => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes((length + 1) / 2))[..length];

    private static async Task WriteErrorAsync(HttpContext context, int status, string code, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/xml;charset=UTF-8";
        var body = new XElement("Response",
            new XElement("Errors", new XElement("Error", new XElement("Code", code), new XElement("Message", message))),
            new XElement("RequestID", Guid.NewGuid()));
        var text = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>" + body.ToString(SaveOptions.DisableFormatting);
        await context.Response.WriteAsync(text, Encoding.UTF8, context.RequestAborted);
    }

    [GeneratedRegex("^ami-[0-9a-f]{8,17}$")]
    private static partial Regex ImageIdPattern();

    [GeneratedRegex("^i-[0-9a-f]{8,17}$")]
    private static partial Regex InstanceIdValuePattern();

    [GeneratedRegex(@"^InstanceId\.\d+$")]
    private static partial Regex InstanceIdPattern();

    [GeneratedRegex(@"^Filter\.\d+\.Name$")]
    private static partial Regex FilterNamePattern();

    [GeneratedRegex(@"^Filter\.\d+\.Value\.\d+$")]
    private static partial Regex FilterValuePattern();

    [GeneratedRegex("^MaxResults$")]
    private static partial Regex MaxResultsPattern();

    [GeneratedRegex("^NextToken$")]
    private static partial Regex NextTokenPattern();

    private readonly record struct Ec2Error(int Status, string Code, string Message);

    private readonly record struct Ec2Result(XElement? Body, Ec2Error? Error)
    {
        public static Ec2Result Ok(XElement body) => new(body, null);

        public static Ec2Result Fail(int status, string code, string message) => new(null, new Ec2Error(status, code, message));
    }
}
