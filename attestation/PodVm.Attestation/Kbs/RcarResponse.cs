namespace PodVm.Attestation.Kbs;

/// <summary>A successful /auth or /attest answer: the JSON body and the sealed kbs-session-id cookie to set.</summary>
public sealed record RcarResponse(string Body, string Cookie, DateTimeOffset CookieExpires);
