using System.CommandLine;
using Google.Protobuf;
using Grpc.Core;
using PodVm.Protocols.Contracts;
using PodVm.Protocols.Ttrpc;
using KeyValue = PodVm.Protocols.Ttrpc.Wire.KeyValue;

namespace PodVm.Cli.Commands;

/// <summary>
/// <c>podvm ttrpc call|list</c>: a grpcurl-like client for the ttrpc services PodVm speaks (hypervisor, podvminfo,
/// Kata agent, health). Requests are JSON in, responses JSON out; an error prints its status code and message.
/// </summary>
internal static class TtrpcCommand
{
    public static Command Create()
    {
        var command = new Command("ttrpc", "Call the ttrpc services PodVm speaks (the adaptor's hypervisor socket, a pod's agent socket).");
        command.Subcommands.Add(CreateCall());
        command.Subcommands.Add(CreateList());
        return command;
    }

    private static Command CreateCall()
    {
        var address = new Option<string>("--address") { Description = "Where the server listens: unix:///path.sock or tcp://host:port.", Required = true };
        var service = new Option<string>("--service") { Description = "Service name, e.g. hypervisor.Hypervisor, grpc.AgentService, grpc.Health.", Required = true };
        var method = new Option<string>("--method") { Description = "Method name, e.g. Version, CreateVM, Check.", Required = true };
        var data = new Option<string>("--data") { Description = "The request as protobuf JSON; @FILE reads a file, - reads stdin.", DefaultValueFactory = _ => "{}" };
        var timeout = new Option<string>("--timeout") { Description = "Deadline for the call, sent as timeout_nano (e.g. 500ms, 5s, 2m; 0 = none).", DefaultValueFactory = _ => "5s" };
        var meta = new Option<string[]>("--meta") { Description = "Metadata key=value to send (repeatable).", AllowMultipleArgumentsPerToken = false };

        var call = new Command("call", "Call one method and print the response as JSON.") { address, service, method, data, timeout, meta };
        call.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var errors = parseResult.InvocationConfiguration.Error;
            if (!TtrpcEndpoint.TryParse(parseResult.GetValue(address), out var endpoint, out var addressError))
            {
                await errors.WriteLineAsync($"--address: {addressError}");
                return 2;
            }

            if (!ProtocolCatalog.TryFindMethod(parseResult.GetValue(service)!, parseResult.GetValue(method)!, out var descriptor, out var methodError))
            {
                await errors.WriteLineAsync(methodError);
                return 2;
            }

            if (!DurationParser.TryParse(parseResult.GetValue(timeout)!, out var deadline))
            {
                await errors.WriteLineAsync($"--timeout: '{parseResult.GetValue(timeout)}' is not a duration; use e.g. 500ms, 5s, 2m, or 0 for none");
                return 2;
            }

            var metadata = new List<KeyValue>();
            foreach (var pair in parseResult.GetValue(meta) ?? [])
            {
                var eq = pair.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0)
                {
                    await errors.WriteLineAsync($"--meta: '{pair}' is not key=value");
                    return 2;
                }

                metadata.Add(new KeyValue { Key = pair[..eq], Value = pair[(eq + 1)..] });
            }

            IMessage request;
            try
            {
                var json = await ReadDataAsync(parseResult.GetValue(data)!, cancellationToken);
                request = JsonParser.Default.Parse(json, descriptor!.InputType);
            }
            catch (Exception ex) when (ex is InvalidProtocolBufferException or InvalidJsonException or IOException or FormatException)
            {
                await errors.WriteLineAsync($"--data: not a valid {descriptor!.InputType.FullName} in JSON: {ex.Message}");
                return 2;
            }

            try
            {
                await using var client = await TtrpcClient.ConnectAsync(endpoint, null, cancellationToken);
                var options = new TtrpcCallOptions { Timeout = deadline == TimeSpan.Zero ? null : deadline, Metadata = metadata };
                var response = await client.CallRawAsync(descriptor.Service.FullName, descriptor.Name, request.ToByteArray(), options, cancellationToken);
                if (!response.IsSuccess)
                {
                    await errors.WriteLineAsync($"ERROR: {response.Code}: {response.Status?.Message}");
                    return 1;
                }

                var message = descriptor.OutputType.Parser.ParseFrom(response.Payload.Span);
                await output.WriteLineAsync(new JsonFormatter(JsonFormatter.Settings.Default.WithFormatDefaultValues(true).WithIndentation()).Format(message));
                return 0;
            }
            catch (RpcException ex)
            {
                await errors.WriteLineAsync($"ERROR: {ex.StatusCode}: {ex.Status.Detail}");
                return 1;
            }
        });
        return call;
    }

    private static Command CreateList()
    {
        var list = new Command("list", "List the services and methods `podvm ttrpc call` knows, with their request types.");
        list.SetAction(parseResult =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            foreach (var (name, service) in ProtocolCatalog.Services.OrderBy(s => s.Key, StringComparer.Ordinal))
            {
                output.WriteLine(name);
                foreach (var method in service.Methods)
                {
                    output.WriteLine($"  {method.Name}({method.InputType.Name}) returns ({method.OutputType.Name})");
                }
            }

            return 0;
        });
        return list;
    }

    private static async Task<string> ReadDataAsync(string data, CancellationToken cancellationToken) => data switch
    {
        "-" => await Console.In.ReadToEndAsync(cancellationToken),
        _ when data.StartsWith('@') => await File.ReadAllTextAsync(data[1..], cancellationToken),
        _ => data,
    };
}
