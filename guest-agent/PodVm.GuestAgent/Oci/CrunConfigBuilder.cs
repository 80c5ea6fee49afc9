using System.Text.Json;
using PodVm.Protocols.Agent;

namespace PodVm.GuestAgent.Oci;

/// <summary>
/// Translates the OCI spec carried by CreateContainer (protobuf) into the crun bundle's <c>config.json</c>: process
/// (args, env, cwd, user, capabilities, rlimits, no_new_privileges, oom_score_adj), root, hostname, mounts, namespaces
/// (as planned), cgroup path and resources, sysctls, masked/readonly paths, devices and seccomp.
/// Bind mounts whose source does not exist in the guest are dropped and reported (host paths mean nothing here).
/// </summary>
internal static class CrunConfigBuilder
{
    private static readonly string[] DefaultCapabilities = ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"];

    /// <summary>Builds config.json; <paramref name="droppedMounts"/> lists mounts left out, with why.</summary>
    public static byte[] Build(Spec spec, CrunBundleOptions options, Func<string, bool> sourceExists, out IReadOnlyList<string> droppedMounts)
    {
        var dropped = new List<string>();
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("ociVersion", spec.Version.Length > 0 ? spec.Version : "1.0.2");
            w.WritePropertyName("process");
            WriteProcess(w, spec.Process ?? new Process(), options);
            w.WriteStartObject("root");
            w.WriteString("path", options.RootfsPath);
            w.WriteBoolean("readonly", spec.Root?.Readonly ?? false);
            w.WriteEndObject();
            var ownUts = options.Namespaces.Any(n => n.Type == "uts" && n.Path is null);
            if (ownUts && spec.Hostname.Length > 0)
            {
                w.WriteString("hostname", spec.Hostname);
            }

            WriteMounts(w, spec, sourceExists, dropped);
            if (spec.Annotations.Count > 0)
            {
                w.WriteStartObject("annotations");
                foreach (var (k, v) in spec.Annotations.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    w.WriteString(k, v);
                }

                w.WriteEndObject();
            }

            WriteLinux(w, spec.Linux ?? new Linux(), options);
            w.WriteEndObject();
        }

        droppedMounts = dropped;
        return ms.ToArray();
    }

    /// <summary>The process JSON alone (for <c>crun exec --process</c>).</summary>
    public static byte[] BuildProcess(Process process, string defaultCwd = "/")
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            WriteProcess(w, process, new CrunBundleOptions { RootfsPath = "/", CgroupsPath = "/", Namespaces = [], DefaultCwd = defaultCwd });
        }

        return ms.ToArray();
    }

    /// <summary>The <c>crun update --resources</c> JSON for <paramref name="resources"/>.</summary>
    public static byte[] BuildResources(LinuxResources resources)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            WriteResources(w, resources);
        }

        return ms.ToArray();
    }

    /// <summary>The command line a process will run: its args, else the image's entrypoint + cmd.</summary>
    public static IReadOnlyList<string> EffectiveArgs(Process? process, IReadOnlyList<string> defaultArgs) =>
        process is { Args.Count: > 0 } ? process.Args : defaultArgs;

    private static void WriteProcess(Utf8JsonWriter w, Process p, CrunBundleOptions options)
    {
        w.WriteStartObject();
        w.WriteBoolean("terminal", false);
        w.WriteStartObject("user");
        w.WriteNumber("uid", p.User?.UID ?? 0);
        w.WriteNumber("gid", p.User?.GID ?? 0);
        if (p.User is { AdditionalGids.Count: > 0 } user)
        {
            w.WriteStartArray("additionalGids");
            foreach (var g in user.AdditionalGids)
            {
                w.WriteNumberValue(g);
            }

            w.WriteEndArray();
        }

        w.WriteEndObject();
        WriteStrings(w, "args", EffectiveArgs(p, options.DefaultArgs));
        WriteStrings(w, "env", MergeEnv(options.DefaultEnv, p.Env));
        w.WriteString("cwd", p.Cwd.Length > 0 ? p.Cwd : options.DefaultCwd);
        w.WriteStartObject("capabilities");
        var caps = p.Capabilities;
        WriteStrings(w, "bounding", caps is null ? DefaultCapabilities : caps.Bounding);
        WriteStrings(w, "effective", caps is null ? DefaultCapabilities : caps.Effective);
        WriteStrings(w, "inheritable", caps is null ? [] : caps.Inheritable);
        WriteStrings(w, "permitted", caps is null ? DefaultCapabilities : caps.Permitted);
        WriteStrings(w, "ambient", caps is null ? [] : caps.Ambient);
        w.WriteEndObject();
        w.WriteStartArray("rlimits");
        foreach (var r in p.Rlimits.Count > 0 ? p.Rlimits : [new POSIXRlimit { Type = "RLIMIT_NOFILE", Hard = 1048576, Soft = 1048576 }])
        {
            w.WriteStartObject();
            w.WriteString("type", r.Type);
            w.WriteNumber("hard", r.Hard);
            w.WriteNumber("soft", r.Soft);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteBoolean("noNewPrivileges", p.NoNewPrivileges);
        if (p.OOMScoreAdj != 0)
        {
            w.WriteNumber("oomScoreAdj", p.OOMScoreAdj);
        }

        w.WriteEndObject();
    }

    /// <summary>Image env first, then the spec's; a later NAME= replaces an earlier one in place.</summary>
    internal static List<string> MergeEnv(IEnumerable<string> image, IEnumerable<string> spec)
    {
        var result = new List<string>();
        foreach (var entry in image.Concat(spec))
        {
            var eq = entry.IndexOf('=', StringComparison.Ordinal);
            var name = eq < 0 ? entry : entry[..eq];
            var existing = result.FindIndex(e => e.StartsWith(name + "=", StringComparison.Ordinal) || e == name);
            if (existing >= 0)
            {
                result[existing] = entry;
            }
            else
            {
                result.Add(entry);
            }
        }

        return result;
    }

    private static void WriteMounts(Utf8JsonWriter w, Spec spec, Func<string, bool> sourceExists, List<string> dropped)
    {
        var mounts = spec.Mounts.Count > 0 ? spec.Mounts.ToList() : DefaultMounts();
        w.WriteStartArray("mounts");
        foreach (var m in mounts)
        {
            var isBind = m.Type == "bind" || m.Options.Contains("bind") || m.Options.Contains("rbind");
            if (isBind && !sourceExists(m.Source))
            {
                dropped.Add($"{m.Destination} (bind source '{m.Source}' does not exist in the guest)");
                continue;
            }

            w.WriteStartObject();
            w.WriteString("destination", m.Destination);
            w.WriteString("type", m.Type.Length > 0 ? m.Type : (isBind ? "bind" : "none"));
            w.WriteString("source", m.Source);
            WriteStrings(w, "options", m.Options);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    private static List<Mount> DefaultMounts()
    {
        static Mount M(string dest, string type, string source, params string[] options)
        {
            var m = new Mount { Destination = dest, Type = type, Source = source };
            m.Options.AddRange(options);
            return m;
        }

        return
        [
            M("/proc", "proc", "proc"),
            M("/dev", "tmpfs", "tmpfs", "nosuid", "strictatime", "mode=755", "size=65536k"),
            M("/dev/pts", "devpts", "devpts", "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"),
            M("/dev/shm", "tmpfs", "shm", "nosuid", "noexec", "nodev", "mode=1777", "size=65536k"),
            M("/dev/mqueue", "mqueue", "mqueue", "nosuid", "noexec", "nodev"),
            M("/sys", "sysfs", "sysfs", "nosuid", "noexec", "nodev", "ro"),
        ];
    }

    private static void WriteLinux(Utf8JsonWriter w, Linux linux, CrunBundleOptions options)
    {
        w.WriteStartObject("linux");
        w.WriteStartArray("namespaces");
        foreach (var ns in options.Namespaces)
        {
            w.WriteStartObject();
            w.WriteString("type", ns.Type);
            if (ns.Path is not null)
            {
                w.WriteString("path", ns.Path);
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteString("cgroupsPath", options.CgroupsPath);
        w.WritePropertyName("resources");
        WriteResources(w, linux.Resources ?? new LinuxResources());
        if (linux.Sysctl.Count > 0)
        {
            w.WriteStartObject("sysctl");
            foreach (var (k, v) in linux.Sysctl.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                w.WriteString(k, v);
            }

            w.WriteEndObject();
        }

        if (linux.MaskedPaths.Count > 0)
        {
            WriteStrings(w, "maskedPaths", linux.MaskedPaths);
        }

        if (linux.ReadonlyPaths.Count > 0)
        {
            WriteStrings(w, "readonlyPaths", linux.ReadonlyPaths);
        }

        if (linux.RootfsPropagation.Length > 0)
        {
            w.WriteString("rootfsPropagation", linux.RootfsPropagation);
        }

        if (linux.Devices.Count > 0)
        {
            w.WriteStartArray("devices");
            foreach (var d in linux.Devices)
            {
                w.WriteStartObject();
                w.WriteString("path", d.Path);
                w.WriteString("type", d.Type);
                w.WriteNumber("major", d.Major);
                w.WriteNumber("minor", d.Minor);
                w.WriteNumber("fileMode", d.FileMode);
                w.WriteNumber("uid", d.UID);
                w.WriteNumber("gid", d.GID);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        if (linux.Seccomp is { DefaultAction.Length: > 0 } seccomp)
        {
            WriteSeccomp(w, seccomp);
        }

        w.WriteEndObject();
    }

    private static void WriteSeccomp(Utf8JsonWriter w, LinuxSeccomp seccomp)
    {
        w.WriteStartObject("seccomp");
        w.WriteString("defaultAction", seccomp.DefaultAction);
        WriteStrings(w, "architectures", seccomp.Architectures);
        if (seccomp.Flags.Count > 0)
        {
            WriteStrings(w, "flags", seccomp.Flags);
        }

        w.WriteStartArray("syscalls");
        foreach (var s in seccomp.Syscalls)
        {
            w.WriteStartObject();
            WriteStrings(w, "names", s.Names);
            w.WriteString("action", s.Action);
            if (s.HasErrnoret)
            {
                w.WriteNumber("errnoRet", s.Errnoret);
            }

            if (s.Args.Count > 0)
            {
                w.WriteStartArray("args");
                foreach (var a in s.Args)
                {
                    w.WriteStartObject();
                    w.WriteNumber("index", a.Index);
                    w.WriteNumber("value", a.Value);
                    w.WriteNumber("valueTwo", a.ValueTwo);
                    w.WriteString("op", a.Op);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteResources(Utf8JsonWriter w, LinuxResources r)
    {
        w.WriteStartObject();
        if (r.Memory is { } m)
        {
            w.WriteStartObject("memory");
            WriteNonZero(w, "limit", m.Limit);
            WriteNonZero(w, "reservation", m.Reservation);
            WriteNonZero(w, "swap", m.Swap);
            if (m.Swappiness != 0)
            {
                w.WriteNumber("swappiness", m.Swappiness);
            }

            if (m.DisableOOMKiller)
            {
                w.WriteBoolean("disableOOMKiller", true);
            }

            w.WriteEndObject();
        }

        if (r.CPU is { } c)
        {
            w.WriteStartObject("cpu");
            if (c.Shares != 0)
            {
                w.WriteNumber("shares", c.Shares);
            }

            WriteNonZero(w, "quota", c.Quota);
            if (c.Period != 0)
            {
                w.WriteNumber("period", c.Period);
            }

            if (c.Cpus.Length > 0)
            {
                w.WriteString("cpus", c.Cpus);
            }

            if (c.Mems.Length > 0)
            {
                w.WriteString("mems", c.Mems);
            }

            w.WriteEndObject();
        }

        if (r.Pids is { Limit: not 0 } pids)
        {
            w.WriteStartObject("pids");
            w.WriteNumber("limit", pids.Limit);
            w.WriteEndObject();
        }

        if (r.BlockIO is { Weight: not 0 } io)
        {
            w.WriteStartObject("blockIO");
            w.WriteNumber("weight", io.Weight);
            w.WriteEndObject();
        }

        if (r.HugepageLimits.Count > 0)
        {
            w.WriteStartArray("hugepageLimits");
            foreach (var h in r.HugepageLimits)
            {
                w.WriteStartObject();
                w.WriteString("pageSize", h.Pagesize);
                w.WriteNumber("limit", h.Limit);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        if (r.Devices.Count > 0)
        {
            w.WriteStartArray("devices");
            foreach (var d in r.Devices)
            {
                w.WriteStartObject();
                w.WriteBoolean("allow", d.Allow);
                if (d.Type.Length > 0)
                {
                    w.WriteString("type", d.Type);
                }

                if (d.Major != 0 || d.Minor != 0)
                {
                    w.WriteNumber("major", d.Major);
                    w.WriteNumber("minor", d.Minor);
                }

                w.WriteString("access", d.Access);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        w.WriteEndObject();
    }

    private static void WriteNonZero(Utf8JsonWriter w, string name, long value)
    {
        if (value != 0)
        {
            w.WriteNumber(name, value);
        }
    }

    private static void WriteStrings(Utf8JsonWriter w, string name, IEnumerable<string> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values)
        {
            w.WriteStringValue(v);
        }

        w.WriteEndArray();
    }
}
