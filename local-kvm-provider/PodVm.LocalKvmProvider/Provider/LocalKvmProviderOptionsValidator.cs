using Microsoft.Extensions.Options;

namespace PodVm.LocalKvmProvider.Provider;

/// <summary>Checks <see cref="LocalKvmProviderOptions"/> at start-up; every failure names the setting.</summary>
public sealed class LocalKvmProviderOptionsValidator : IValidateOptions<LocalKvmProviderOptions>
{
    public ValidateOptionsResult Validate(string? name, LocalKvmProviderOptions options)
    {
        var failures = new List<string>();
        var prefix = LocalKvmProviderOptions.SectionName + ":";
        if (options.Accelerator.ToUpperInvariant() is not ("AUTO" or "KVM" or "TCG"))
        {
            failures.Add($"{prefix}Accelerator is '{options.Accelerator}'; use auto, kvm or tcg.");
        }

        foreach (var (setting, value) in new[] { ("StateDirectory", options.StateDirectory), ("LogDirectory", options.LogDirectory), ("ImageDirectory", options.ImageDirectory), ("QemuBinary", options.QemuBinary) })
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                failures.Add($"{prefix}{setting} is empty.");
            }
        }

        // swtpm is optional (only VMs that ask for a vTPM start it), so a bare name missing from PATH is reported when
        // such a VM is created; an explicit path that names nothing is a typo worth stopping for now.
        if (string.IsNullOrWhiteSpace(options.SwtpmBinary))
        {
            failures.Add($"{prefix}SwtpmBinary is empty (default: swtpm, from the Debian package swtpm).");
        }
        else if (options.SwtpmBinary.Contains('/', StringComparison.Ordinal) && !File.Exists(options.SwtpmBinary))
        {
            failures.Add($"{prefix}SwtpmBinary '{options.SwtpmBinary}' does not exist (install the Debian package swtpm, or set a bare name to search PATH).");
        }

        // sun_path is 108 bytes; the longest socket name in a VM directory is "/vm-xxxxxxxxxxxx/side.sock".
        if (options.StateDirectory.Length > 70)
        {
            failures.Add($"{prefix}StateDirectory '{options.StateDirectory}' is too long for unix socket paths (at most 70 characters).");
        }

        if (options.InstanceTypes.Count == 0)
        {
            failures.Add($"{prefix}InstanceTypes is empty; define at least one local size.");
        }

        for (var i = 0; i < options.InstanceTypes.Count; i++)
        {
            var type = options.InstanceTypes[i];
            if (string.IsNullOrWhiteSpace(type.Name))
            {
                failures.Add($"{prefix}InstanceTypes:{i}:Name is empty.");
            }

            if (type.VCpus is < 1 or > 64)
            {
                failures.Add($"{prefix}InstanceTypes:{i}:VCpus is {type.VCpus}; use 1 to 64.");
            }

            if (type.MemoryMiB is < 64 or > 262144)
            {
                failures.Add($"{prefix}InstanceTypes:{i}:MemoryMiB is {type.MemoryMiB}; use 64 to 262144.");
            }
        }

        foreach (var duplicate in options.InstanceTypes.GroupBy(t => t.Name, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            failures.Add($"{prefix}InstanceTypes names '{duplicate.Key}' more than once.");
        }

        foreach (var (setting, value) in new[] { ("BootTimeout", options.BootTimeout), ("PowerdownTimeout", options.PowerdownTimeout), ("LogRetention", options.LogRetention) })
        {
            if (value < TimeSpan.Zero)
            {
                failures.Add($"{prefix}{setting} is negative.");
            }
        }

        if (options.MaxUserDataBytes < 1)
        {
            failures.Add($"{prefix}MaxUserDataBytes must be positive.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
