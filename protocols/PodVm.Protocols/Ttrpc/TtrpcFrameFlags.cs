namespace PodVm.Protocols.Ttrpc;

/// <summary>Frame flags; their meaning depends on the frame type.</summary>
[Flags]
public enum TtrpcFrameFlags : byte
{
    None = 0,

    /// <summary>On a Request: the client sends no Data. On Data: the last message from this side.</summary>
    RemoteClosed = 0x01,

    /// <summary>On a Request: the client will send Data frames.</summary>
    RemoteOpen = 0x02,

    /// <summary>On Data: the frame carries no payload.</summary>
    NoData = 0x04,
}
