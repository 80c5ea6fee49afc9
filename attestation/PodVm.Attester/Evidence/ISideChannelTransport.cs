namespace PodVm.Attester.Evidence;

/// <summary>Opens one connection to the host end of the side channel (one request/reply per connection).</summary>
internal interface ISideChannelTransport
{
    ValueTask<Stream> OpenAsync(CancellationToken cancellationToken);
}
