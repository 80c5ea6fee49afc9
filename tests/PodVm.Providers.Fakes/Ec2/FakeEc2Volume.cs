namespace PodVm.Providers.Fakes.Ec2;

/// <summary>An EBS volume created with an instance through a block device mapping.</summary>
public sealed class FakeEc2Volume
{
    public required string VolumeId { get; init; }
    public required string DeviceName { get; init; }
    public required int SizeGiB { get; init; }
    public required string VolumeType { get; init; }
    public required bool Encrypted { get; init; }
    public required bool DeleteOnTermination { get; init; }
    public required IReadOnlyDictionary<string, string> Tags { get; init; }
    public bool Deleted { get; set; }
}
