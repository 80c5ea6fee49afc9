namespace PodVm.Protocols.Ttrpc;

/// <summary>The frame types of ttrpc (containerd/ttrpc channel.go).</summary>
public enum TtrpcMessageType : byte
{
    /// <summary>Starts a stream; the body is a ttrpc.Request.</summary>
    Request = 0x01,

    /// <summary>Ends a stream; the body is a ttrpc.Response.</summary>
    Response = 0x02,

    /// <summary>Stream data (ttrpc 1.2 streaming only).</summary>
    Data = 0x03,
}
