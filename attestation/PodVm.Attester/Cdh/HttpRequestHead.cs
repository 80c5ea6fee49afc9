namespace PodVm.Attester.Cdh;

/// <summary>The request line of an HTTP/1.x request (headers are checked for syntax and otherwise ignored).</summary>
internal sealed record HttpRequestHead(string Method, string Target, string Version);
