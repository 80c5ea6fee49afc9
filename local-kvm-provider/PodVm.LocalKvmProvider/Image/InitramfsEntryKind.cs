namespace PodVm.LocalKvmProvider.Image;

internal enum InitramfsEntryKind
{
    Directory = 0,
    File,
    Symlink,
    CharDevice,
    Fifo,
}
