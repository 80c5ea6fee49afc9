using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using PodVm.GuestHosting;

namespace PodVm.GuestAgent.Tests;

/// <summary>The lines written straight to the console before ready say what their [LoggerMessage] twins say.</summary>
public sealed class AgentLogTests
{
    [Fact]
    public void PolicySetAtStart_SameLineAsPolicySetThroughILogger()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 28, 11, 50, 0, TimeSpan.Zero));
        using var direct = new MemoryStream();
        using var logged = new MemoryStream();
        using (var factory = new GuestConsoleLoggerFactory(new GuestConsoleSink(direct), LogLevel.Information, time))
        {
            AgentLog.PolicySetAtStart(factory, "/run/peerpod/policy.json");
        }

        using (var factory = new GuestConsoleLoggerFactory(new GuestConsoleSink(logged), LogLevel.Information, time))
        {
            AgentLog.PolicySet(factory.CreateLogger(AgentLog.Category), "/run/peerpod/policy.json");
        }

        var line = Encoding.UTF8.GetString(direct.ToArray());
        Assert.Contains("Agent policy in force (from /run/peerpod/policy.json)", line, StringComparison.Ordinal);
        Assert.Equal(Encoding.UTF8.GetString(logged.ToArray()), line);
    }
}
