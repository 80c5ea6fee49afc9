namespace PodVm.Providers.Fakes.Ec2;

/// <summary>One instance as the fake EC2 keeps it. Mutated only under the server's lock.</summary>
public sealed class FakeEc2Instance
{
    public required string InstanceId { get; init; }
    public required string ReservationId { get; init; }
    public required string ImageId { get; init; }
    public required string InstanceType { get; init; }
    public required string ClientToken { get; init; }
    public required DateTimeOffset LaunchTime { get; init; }
    public required IReadOnlyDictionary<string, string> Tags { get; init; }
    public required IReadOnlyDictionary<string, string> Parameters { get; init; }
    public string? SubnetId { get; init; }
    public string? AmdSevSnp { get; init; }
    public string? HttpTokens { get; init; }
    public string? UserDataBase64 { get; init; }
    public string State { get; set; } = "pending";
    public int DescribesUntilNextState { get; set; }
    public bool FailsToBoot { get; init; }
    public string? PrivateIpAddress { get; set; }
    public string? PublicIpAddress { get; set; }
    public List<FakeEc2Volume> Volumes { get; } = [];

    public static int StateCode(string state) => state switch
    {
        "pending" => 0,
        "running" => 16,
        "shutting-down" => 32,
        "terminated" => 48,
        "stopping" => 64,
        "stopped" => 80,
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, "unknown EC2 state"),
    };
}
