namespace PodVm.Attester.Configuration;

/// <summary>Where the KBS is and which certificate to trust for it.</summary>
/// <param name="Url">scheme://host:port of the KBS.</param>
/// <param name="CertificatePem">PEM certificate(s) trusted for a https KBS (the certificate itself or its CA); null = system roots.</param>
/// <param name="Source">Where this came from (a file path or "command line"), for messages.</param>
internal sealed record KbsEndpointConfig(Uri Url, string? CertificatePem, string Source);
