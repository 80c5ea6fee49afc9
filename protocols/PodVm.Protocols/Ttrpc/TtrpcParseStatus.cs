namespace PodVm.Protocols.Ttrpc;

public enum TtrpcParseStatus
{
    /// <summary>Not enough bytes for a whole frame yet.</summary>
    NeedMoreData = 0,

    /// <summary>A whole frame was taken.</summary>
    Frame,

    /// <summary>A frame over the size limit was announced; its body is being skipped.</summary>
    Oversized,
}
