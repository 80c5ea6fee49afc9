namespace PodVm.GuestAgent.Policy;

/// <summary>The outcome of a policy check: allowed, or denied by a named rule with a reason.</summary>
internal sealed record PolicyDecision(bool Allowed, string Rule, string Reason)
{
    public static PolicyDecision Allow(string rule) => new(true, rule, string.Empty);

    public static PolicyDecision Deny(string rule, string reason) => new(false, rule, reason);

    /// <summary>The message a denied caller sees.</summary>
    public string Message => $"denied by agent policy rule '{Rule}': {Reason}";
}
