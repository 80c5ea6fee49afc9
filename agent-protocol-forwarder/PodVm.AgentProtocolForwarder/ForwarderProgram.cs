using PodVm.AgentProtocolForwarder.ConfigProcessing;
using PodVm.AgentProtocolForwarder.Forwarding;
using PodVm.GuestHosting;
using PodVm.PodVmConfig;

namespace PodVm.AgentProtocolForwarder;

/// <summary>
/// The forwarder's program: <c>podvm-forwarder</c> (mTLS listener on 15150 relaying ttrpc to the guest agent) and,
/// when invoked as <c>podvm-config-processor</c> or with the first argument <c>process-user-data</c>, the boot-time
/// config processor. Called by this project's Program.cs and by the multi-call guest binary (PodVm.GuestMultiCall).
/// </summary>
public static class ForwarderProgram
{
    /// <summary>Runs the forwarder, or the config processor when argv[0] or the first argument asks for it.</summary>
    /// <param name="args">The command line.</param>
    /// <param name="beforeListening">
    /// Called once the user data is processed (when the forwarder processes it) and before the forwarder loads its TLS
    /// material and listens: the multi-call guest binary starts the guest agent in this process there
    /// (<c>podvm-forwarder -with-agent</c>), since the agent reads what the config processor wrote.
    /// </param>
    public static async Task<int> RunAsync(string[] args, Action? beforeListening = null)
    {
        var argv0 = Path.GetFileName(Environment.GetCommandLineArgs()[0]);
        if (argv0.Contains("config-processor", StringComparison.Ordinal) || (args.Length > 0 && args[0] == "process-user-data"))
        {
            return await RunConfigProcessorAsync(args.Length > 0 && args[0] == "process-user-data" ? args[1..] : args).ConfigureAwait(false);
        }

        ForwarderOptions options;
        try
        {
            options = ForwarderCommandLine.Parse(args);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException)
        {
            await Console.Error.WriteLineAsync("podvm-forwarder: " + ex.Message).ConfigureAwait(false);
            return 2;
        }

        return await StartupNotifier.RunAsync(options.NotifyPath, "podvm-forwarder", async notifier =>
        {
            if (options.ProcessUserDataFirst)
            {
                var processed = await RunConfigProcessorAsync(options.UserDataPath is { } userData ? ["--source", "local", "--local-path", userData] : []).ConfigureAwait(false);
                if (processed != 0)
                {
                    return processed;
                }

                notifier?.Notify(StartupNotifier.Configured);
            }

            beforeListening?.Invoke();
            return await ForwardAsync(options, notifier).ConfigureAwait(false);
        }).ConfigureAwait(false);
    }

    private static async Task<int> ForwardAsync(ForwarderOptions options, StartupNotifier? notifier)
    {
        using var loggerFactory = GuestConsoleLoggerFactory.ForStandardOutput("podvm-forwarder");

        TlsMaterial? tls = null;
        try
        {
            // Synchronous, like every read before ready (see UserDataSource.FetchAsync).
            var config = File.Exists(options.ConfigPath) ? ForwarderConfig.FromJson(File.ReadAllBytes(options.ConfigPath)) : null;
            if (config?.TlsMinVersion is { Length: > 0 } min && min is not ("1.3" or "VersionTLS13" or "TLS13"))
            {
                await Console.Error.WriteLineAsync($"podvm-forwarder: tls-min-version '{min}' is not supported; this forwarder speaks TLS 1.3 only").ConfigureAwait(false);
            }

            if (!options.DisableTls)
            {
                tls = TlsMaterial.Load(options, config);
            }
        }
        catch (Exception ex) when (ex is ArgumentException or IOException or UserDataException or System.Security.Cryptography.CryptographicException)
        {
            await Console.Error.WriteLineAsync("podvm-forwarder: " + ex.Message).ConfigureAwait(false);
            return 2;
        }

        using var stop = new StopSignal();
        await using (var forwarder = new AgentForwarder(options, tls, loggerFactory))
        {
            forwarder.Start();
            if (tls is null)
            {
                ForwarderLog.TlsDisabledAtStart(loggerFactory);
            }

            ForwarderLog.ListeningAtStart(loggerFactory, forwarder.LocalEndPoint?.ToString() ?? options.Listen, tls is not null, options.KataAgentSocket);
            notifier?.Notify(StartupNotifier.Ready);
            notifier?.Dispose();
            await stop.WaitAsync().ConfigureAwait(false);
        }

        tls?.Dispose();
        return 0;
    }

    /// <summary>Runs the config processor: reads the user data, writes the pod VM configuration, returns the exit code.</summary>
    public static async Task<int> RunConfigProcessorAsync(string[] args)
    {
        try
        {
            var options = ConfigProcessorOptions.Parse(args);
            var userData = await new UserDataSource(options).FetchAsync(CancellationToken.None).ConfigureAwait(false);
            var result = new ConfigProcessor(options).Process(userData);

            // Straight to standard output, not through System.Console (see GuestConsoleSink.ForStandardOutput).
            var output = GuestConsoleSink.ForStandardOutput();
            output.WriteLine($"podvm-config-processor: read {userData.Length} bytes of user data{(options.Source == "local" ? $" from {options.LocalPath}" : string.Empty)}; wrote {string.Join(", ", result.Written)}");
            if (result.InitDataDigest is { } digest)
            {
                output.WriteLine($"podvm-config-processor: initdata digest {digest}{(result.PcrExtended ? " (extended into PCR8)" : " (no TPM)")}");
            }

            return 0;
        }
        catch (Exception ex) when (ex is UserDataException or ArgumentException or IOException or UriFormatException or OperationCanceledException)
        {
            await Console.Error.WriteLineAsync($"podvm-config-processor: FATAL: the pod VM configuration is unusable: {ex.Message}").ConfigureAwait(false);
            await Console.Error.WriteLineAsync("podvm-config-processor: nothing was written; the pod VM will not start its agent.").ConfigureAwait(false);
            return 1;
        }
    }
}
