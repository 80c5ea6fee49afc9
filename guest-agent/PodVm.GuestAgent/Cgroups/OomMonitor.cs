using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Threading.Channels;
using PodVm.GuestAgent.Interop;

namespace PodVm.GuestAgent.Cgroups;

/// <summary>
/// Feeds GetOOMEvent. On cgroup v2 it watches each container's <c>memory.events</c> with inotify (the kernel
/// signals a modification when a counter changes) and reports a container when its <c>oom_kill</c> count rises.
/// On v1 it registers an eventfd on <c>memory.oom_control</c> through <c>cgroup.event_control</c>.
/// </summary>
internal sealed unsafe class OomMonitor : IDisposable
{
    private readonly CgroupPaths _paths;
    private readonly Channel<string> _events = Channel.CreateUnbounded<string>();
    private readonly ConcurrentDictionary<string, CgroupWatch> _watches = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<int, string> _byDescriptor = new();
    private readonly int _inotify = -1;

    public OomMonitor(CgroupPaths paths)
    {
        _paths = paths;
        if (paths.Version == CgroupVersion.V2)
        {
            _inotify = LibC.InotifyInit1(LibC.IN_CLOEXEC);
            if (_inotify >= 0)
            {
                new Thread(InotifyLoop) { IsBackground = true, Name = "oom-inotify" }.Start();
            }
        }
    }

    /// <summary>Waits for the next container that had a process killed by the OOM killer.</summary>
    public ValueTask<string> NextAsync(CancellationToken cancellationToken) => _events.Reader.ReadAsync(cancellationToken);

    /// <summary>Starts watching <paramref name="containerId"/>'s cgroup.</summary>
    public bool Watch(string containerId, string cgroup)
    {
        var watch = new CgroupWatch(containerId, cgroup) { LastCount = ReadCount(cgroup) };
        if (_paths.Version == CgroupVersion.V2)
        {
            if (_inotify < 0)
            {
                return false;
            }

            var wd = LibC.InotifyAddWatch(_inotify, _paths.File(cgroup, "memory", "memory.events"), LibC.IN_MODIFY);
            if (wd < 0)
            {
                return false;
            }

            watch.Descriptor = wd;
            _byDescriptor[wd] = containerId;
            _watches[containerId] = watch;
            return true;
        }

        var efd = LibC.EventFd(0, LibC.EFD_CLOEXEC);
        if (efd < 0)
        {
            return false;
        }

        try
        {
            using var control = File.OpenHandle(_paths.File(cgroup, "memory", "memory.oom_control"), FileMode.Open, FileAccess.Read);
            var line = string.Create(CultureInfo.InvariantCulture, $"{efd} {control.DangerousGetHandle()}");
            File.WriteAllText(_paths.File(cgroup, "memory", "cgroup.event_control"), line);
        }
        catch (IOException)
        {
            _ = LibC.Close(efd);
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            _ = LibC.Close(efd);
            return false;
        }

        watch.Descriptor = efd;
        _watches[containerId] = watch;
        new Thread(() => EventFdLoop(watch)) { IsBackground = true, Name = "oom-" + containerId }.Start();
        return true;
    }

    /// <summary>Stops watching (before the container's cgroup is removed).</summary>
    public void Unwatch(string containerId)
    {
        if (!_watches.TryRemove(containerId, out var watch))
        {
            return;
        }

        if (_paths.Version == CgroupVersion.V2)
        {
            _byDescriptor.TryRemove(watch.Descriptor, out _);
            _ = LibC.InotifyRmWatch(_inotify, watch.Descriptor);
        }

        watch.Removed = true;
    }

    public void Dispose() => _events.Writer.TryComplete();

    private void Check(CgroupWatch watch)
    {
        var count = ReadCount(watch.Cgroup);
        if (count > watch.LastCount)
        {
            watch.LastCount = count;
            _events.Writer.TryWrite(watch.ContainerId);
        }
    }

    private ulong ReadCount(string cgroup) => _paths.Version == CgroupVersion.V2
        ? CgroupStatsReader.KeyValues(_paths.File(cgroup, "memory", "memory.events")).GetValueOrDefault("oom_kill")
        : CgroupStatsReader.KeyValues(_paths.File(cgroup, "memory", "memory.oom_control")).GetValueOrDefault("oom_kill");

    private void InotifyLoop()
    {
        var buffer = new byte[4096];
        while (true)
        {
            nint n;
            fixed (byte* p = buffer)
            {
                n = LibC.Read(_inotify, p, buffer.Length);
            }

            if (n < 0)
            {
                if (Marshal.GetLastPInvokeError() == LibC.EINTR)
                {
                    continue;
                }

                return;
            }

            for (var offset = 0; offset + 16 <= n;)
            {
                var wd = BitConverter.ToInt32(buffer, offset);
                var nameLength = BitConverter.ToInt32(buffer, offset + 12);
                offset += 16 + nameLength;
                if (_byDescriptor.TryGetValue(wd, out var id) && _watches.TryGetValue(id, out var watch))
                {
                    Check(watch);
                }
            }
        }
    }

    private void EventFdLoop(CgroupWatch watch)
    {
        var buffer = new byte[8];
        while (!watch.Removed)
        {
            nint n;
            fixed (byte* p = buffer)
            {
                n = LibC.Read(watch.Descriptor, p, 8);
            }

            if (n < 0 && Marshal.GetLastPInvokeError() == LibC.EINTR)
            {
                continue;
            }

            if (n != 8 || watch.Removed)
            {
                break;
            }

            Check(watch);
            if (!Directory.Exists(Path.GetDirectoryName(_paths.File(watch.Cgroup, "memory", "memory.oom_control"))))
            {
                break;
            }
        }

        _ = LibC.Close(watch.Descriptor);
    }

    private sealed class CgroupWatch(string containerId, string cgroup)
    {
        public string ContainerId { get; } = containerId;

        public string Cgroup { get; } = cgroup;

        public ulong LastCount { get; set; }

        public int Descriptor { get; set; } = -1;

        private volatile bool _removed;

        public bool Removed { get => _removed; set => _removed = value; }
    }
}
