namespace PodVm.AgentProtocolForwarder.ConfigProcessing;

/// <summary>The config processor's settings; endpoints are configurable so tests can use loopback fakes.</summary>
internal sealed record ConfigProcessorOptions
{
    private const string MetadataService = "http://169.254.169.254";

    /// <summary>auto, local, aws or azure.</summary>
    public string Source { get; init; } = "auto";

    public string LocalPath { get; init; } = PodVm.PodVmConfig.PodVmPaths.LocalUserData;

    // The metadata endpoints are made on first use: a pod VM on local mode reads its user data from a file and never
    // needs them, and building a Uri runs the URI parser's static set-up, code QEMU TCG translates before ready.
    public Uri AwsEndpoint { get => field ??= new Uri(MetadataService); init; }

    public Uri AzureEndpoint { get => field ??= new Uri(MetadataService); init; }

    /// <summary>Prefix for every path written (tests write under a temporary directory).</summary>
    public string OutputRoot { get; init; } = "/";

    public string TpmDevice { get; init; } = "/dev/tpmrm0";

    /// <summary>How long to keep trying the metadata service.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(180);

    public PodVm.PodVmConfig.UserDataLimits Limits { get; init; } = PodVm.PodVmConfig.UserDataLimits.Default;

    public static ConfigProcessorOptions Parse(IReadOnlyList<string> args)
    {
        var o = new ConfigProcessorOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i].TrimStart('-');
            var value = i + 1 < args.Count ? args[++i] : throw new ArgumentException($"option {args[i]} needs a value");
            o = name switch
            {
                "source" => o with { Source = value },
                "local-path" => o with { LocalPath = value },
                "aws-endpoint" => o with { AwsEndpoint = new Uri(value) },
                "azure-endpoint" => o with { AzureEndpoint = new Uri(value) },
                "output-root" => o with { OutputRoot = value },
                "tpm-device" => o with { TpmDevice = value },
                "timeout" or "t" => o with { Timeout = TimeSpan.FromSeconds(double.Parse(value, System.Globalization.CultureInfo.InvariantCulture)) },
                _ => throw new ArgumentException($"unknown option {args[i - 1]} (use --source, --local-path, --aws-endpoint, --azure-endpoint, --output-root, --tpm-device, --timeout)"),
            };
        }

        if (o.Source is not ("auto" or "local" or "aws" or "azure"))
        {
            throw new ArgumentException($"--source '{o.Source}' is not auto, local, aws or azure");
        }

        return o;
    }
}
