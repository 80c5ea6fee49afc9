namespace PodVm.Protocols.Ttrpc;

/// <summary>Handles any unary call the server has no typed method for: what relays use to pass calls on unchanged.</summary>
public delegate ValueTask<TtrpcRawResponse> TtrpcRawHandler(TtrpcRawRequest request, CancellationToken cancellationToken);
