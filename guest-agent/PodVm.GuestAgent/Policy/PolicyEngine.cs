using System.Text;
using System.Text.Json;
using PodVm.Protocols.Agent;

namespace PodVm.GuestAgent.Policy;

/// <summary>
/// Enforces the current <see cref="AgentPolicy"/>. With no policy every call is allowed (and the agent says so loudly
/// at start). Replacing the policy is atomic; checks never see half a policy.
/// </summary>
internal sealed class PolicyEngine
{
    private static readonly HashSet<string> KnownMethods = new(
        AgentService.Descriptor.Methods.Select(m => m.Name), StringComparer.Ordinal);

    private volatile AgentPolicy? _policy;

    public PolicyEngine(AgentPolicy? initial = null) => _policy = initial;

    /// <summary>True when a policy is in force.</summary>
    public bool HasPolicy => _policy is not null;

    /// <summary>Parses and validates a policy document (JSON). Rego text is refused with a clear message.</summary>
    public static AgentPolicy Parse(string text)
    {
        var trimmed = text.TrimStart();
        if (!trimmed.StartsWith('{'))
        {
            throw new PolicyException("the policy is not a PodVm JSON policy (Rego policies are not supported; see docs/guest-agent-policy.md)");
        }

        AgentPolicy policy;
        try
        {
            policy = JsonSerializer.Deserialize(Encoding.UTF8.GetBytes(text), AgentPolicyJsonContext.Default.AgentPolicy)
                ?? throw new PolicyException("the policy is null");
        }
        catch (JsonException ex)
        {
            throw new PolicyException("the policy is not valid: " + ex.Message, ex);
        }

        if (policy.Version != "1")
        {
            throw new PolicyException($"policy version '{policy.Version}' is not supported (expected \"1\")");
        }

        ValidateAction("default_action", policy.DefaultAction ?? "allow");
        foreach (var (method, action) in policy.Methods ?? [])
        {
            if (!KnownMethods.Contains(method))
            {
                throw new PolicyException($"policy rule methods.{method}: no such agent method");
            }

            ValidateAction("methods." + method, action);
        }

        return policy;
    }

    /// <summary>Puts <paramref name="policy"/> in force.</summary>
    public void Set(AgentPolicy policy) => _policy = policy;

    /// <summary>Is <paramref name="method"/> (a bare AgentService RPC name) allowed at all?</summary>
    public PolicyDecision CheckMethod(string method)
    {
        var policy = _policy;
        if (policy is null)
        {
            return PolicyDecision.Allow("no-policy");
        }

        if (policy.Methods is { } methods && methods.TryGetValue(method, out var action))
        {
            return IsAllow(action)
                ? PolicyDecision.Allow("methods." + method)
                : PolicyDecision.Deny("methods." + method, $"{method} is not allowed");
        }

        return IsAllow(policy.DefaultAction ?? "allow")
            ? PolicyDecision.Allow("default_action")
            : PolicyDecision.Deny("default_action", $"{method} is not listed and the default action is deny");
    }

    /// <summary>May a container be created from <paramref name="image"/> running <paramref name="args"/>?</summary>
    public PolicyDecision CheckCreateContainer(string image, IReadOnlyList<string> args)
    {
        var method = CheckMethod(nameof(AgentService.AgentServiceBase.CreateContainer));
        if (!method.Allowed)
        {
            return method;
        }

        var policy = _policy;
        if (policy?.AllowedImages is { } images && !images.Exists(p => Glob.IsMatch(p, image)))
        {
            return PolicyDecision.Deny("allowed_images", $"image '{image}' is not in the allowed list");
        }

        return CheckCommand("allowed_commands", policy?.AllowedCommands, args);
    }

    /// <summary>May <paramref name="args"/> be executed in a running container?</summary>
    public PolicyDecision CheckExec(IReadOnlyList<string> args)
    {
        var method = CheckMethod(nameof(AgentService.AgentServiceBase.ExecProcess));
        return method.Allowed ? CheckCommand("allowed_exec_commands", _policy?.AllowedExecCommands, args) : method;
    }

    private static PolicyDecision CheckCommand(string rule, List<string>? patterns, IReadOnlyList<string> args)
    {
        if (patterns is null)
        {
            return PolicyDecision.Allow(rule);
        }

        var command = string.Join(' ', args);
        return patterns.Exists(p => Glob.IsMatch(p, command))
            ? PolicyDecision.Allow(rule)
            : PolicyDecision.Deny(rule, $"command '{command}' is not in the allowed list");
    }

    private static bool IsAllow(string action) => string.Equals(action, "allow", StringComparison.Ordinal);

    private static void ValidateAction(string rule, string action)
    {
        if (action is not ("allow" or "deny"))
        {
            throw new PolicyException($"policy rule {rule}: '{action}' is not 'allow' or 'deny'");
        }
    }
}
