using System.Buffers;

namespace PodVm.Protocols.Ttrpc;

/// <summary>Receives the frames of one connection, in order, on the receive pump.</summary>
internal interface ITtrpcFrameHandler
{
    /// <summary>A whole frame. The body is only valid during the call: parse or copy it before returning.</summary>
    void OnFrame(in TtrpcFrameHeader header, in ReadOnlySequence<byte> body);

    /// <summary>A frame over the size limit was announced; its body is being discarded.</summary>
    void OnOversizedFrame(in TtrpcFrameHeader header);
}
