namespace PodVm.GuestAgent.Images;

/// <summary>The runtime part of an OCI image config (what a container inherits when its spec leaves it empty).</summary>
public sealed record OciImageConfig
{
    public IReadOnlyList<string> Entrypoint { get; init; } = [];

    public IReadOnlyList<string> Cmd { get; init; } = [];

    public IReadOnlyList<string> Env { get; init; } = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"];

    public string WorkingDir { get; init; } = "/";

    public string User { get; init; } = string.Empty;
}
