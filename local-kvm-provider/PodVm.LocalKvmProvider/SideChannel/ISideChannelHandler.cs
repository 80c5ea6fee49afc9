using System.Text.Json;

namespace PodVm.LocalKvmProvider.SideChannel;

/// <summary>
/// Answers one type of guest message on the VM's side channel (virtio-serial port "podvm.side"). The wire format is
/// one JSON object per line with a string "type"; the handler's answer, if any, is written back as one line. The
/// local development TEE registers a handler for its report requests.
/// </summary>
public interface ISideChannelHandler
{
    /// <summary>The "type" value this handler answers.</summary>
    string MessageType { get; }

    /// <summary>Returns the JSON line to send back (without newline), or null for none.</summary>
    ValueTask<string?> HandleAsync(string instanceId, JsonElement message, CancellationToken cancellationToken);
}
