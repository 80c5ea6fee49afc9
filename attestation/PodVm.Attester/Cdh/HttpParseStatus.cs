namespace PodVm.Attester.Cdh;

internal enum HttpParseStatus
{
    /// <summary>The head is not complete yet: read more.</summary>
    Incomplete = 0,
    Complete,
    /// <summary>Not HTTP/1.x (answered 400).</summary>
    Invalid,
    /// <summary>The request line and headers exceed the limit (answered 431).</summary>
    TooLarge,
}
