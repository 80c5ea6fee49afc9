using System.CommandLine;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Hosting;
using PodVm.Attestation.ReferenceValues;
using PodVm.Cli.Kbs;
using PodVm.Kbs;

namespace PodVm.Cli.Commands;

/// <summary>
/// <c>podvm kbs</c>: run the Trustee-compatible key broker, and manage it through its admin API
/// (resources, reference values, policies). Exit codes: 0 done, 1 refused by the KBS or I/O failure, 2 usage error.
/// </summary>
internal static class KbsCommand
{
    public static Command Create()
    {
        var command = new Command("kbs", "The key broker service (Trustee KBS protocol 0.4.0): serve it, or manage it through its admin API.")
        {
            Serve(),
            SetResource(),
            ImportReferenceValues(),
            SetPolicy(),
            SignReferenceValues(),
        };
        return command;
    }

    private static Command Serve()
    {
        var config = new Option<FileInfo?>("--config") { Description = "JSON configuration file with a \"Kbs\" section (see docs/attestation/kbs.md)." };
        var urls = new Option<string[]>("--urls") { Description = "HTTP endpoints to listen on, e.g. http://0.0.0.0:8080 (overrides Kbs:Urls).", AllowMultipleArgumentsPerToken = true };
        var command = new Command("serve", "Run the KBS until interrupted.") { config, urls };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var file = parseResult.GetValue(config);
            if (file is not null && !file.Exists)
            {
                await parseResult.InvocationConfiguration.Error.WriteLineAsync($"configuration file {file.FullName} does not exist");
                return 2;
            }

            var args = (parseResult.GetValue(urls) ?? []).Select((u, i) => $"--Kbs:Urls:{i}={u}").ToArray();
            try
            {
                await using var app = KbsHost.Build(args, file?.FullName);
                await app.StartAsync(cancellationToken);
                await app.WaitForShutdownAsync(cancellationToken);
                return 0;
            }
            catch (Microsoft.Extensions.Options.OptionsValidationException ex)
            {
                await parseResult.InvocationConfiguration.Error.WriteLineAsync($"invalid KBS configuration: {ex.Message}");
                return 2;
            }
        });
        return command;
    }

    private static Option<Uri> KbsUrl() => new("--kbs") { Description = "Base URL of the KBS, e.g. http://127.0.0.1:8080.", Required = true };

    private static Option<FileInfo> AdminKey() => new("--admin-key") { Description = "PEM EC private key (P-256 or P-384) whose public half is in Kbs:AdminPublicKeyFiles.", Required = true };

    private static Command SetResource()
    {
        var kbs = KbsUrl();
        var adminKey = AdminKey();
        var path = new Argument<string>("path") { Description = "Resource path repo/type/tag, e.g. default/key/1." };
        var file = new Option<FileInfo?>("--file") { Description = "File holding the resource value." };
        var value = new Option<string?>("--value") { Description = "The resource value as a string (prefer --file for secrets)." };
        var command = new Command("set-resource", "Store a resource the KBS releases to attested guests.") { kbs, adminKey, path, file, value };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var f = parseResult.GetValue(file);
            var v = parseResult.GetValue(value);
            if ((f is null) == (v is null))
            {
                await parseResult.InvocationConfiguration.Error.WriteLineAsync("give exactly one of --file or --value");
                return 2;
            }

            byte[] bytes = f is not null ? await File.ReadAllBytesAsync(f.FullName, cancellationToken) : Encoding.UTF8.GetBytes(v!);
            return await SendAsync(parseResult, "/kbs/v0/resource/" + parseResult.GetValue(path)!.Trim('/'), new ByteArrayContent(bytes), cancellationToken);
        });
        return command;
    }

    private static Command ImportReferenceValues()
    {
        var kbs = KbsUrl();
        var adminKey = AdminKey();
        var file = new Argument<FileInfo>("file") { Description = "A signed bundle (PodVm bundle or signed CoRIM, COSE_Sign1), an RVPS message JSON, or sample provenance JSON." };
        var command = new Command("import-reference-values", "Send reference values to the KBS; signed bundles are verified by the KBS against its configured signers.") { kbs, adminKey, file };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var bytes = await File.ReadAllBytesAsync(parseResult.GetValue(file)!.FullName, cancellationToken);
            string message;
            if (bytes.Length > 0 && bytes[0] is 0xD2 or 0xD9 or 0x84)
            {
                message = new JsonObject { ["version"] = "0.1.0", ["type"] = "cose", ["payload"] = Convert.ToBase64String(bytes) }.ToJsonString();
            }
            else
            {
                try
                {
                    var json = JsonNode.Parse(bytes) as JsonObject ?? throw new JsonException("not an object");
                    message = json["type"] is not null && json["payload"] is not null
                        ? json.ToJsonString()
                        : new JsonObject { ["version"] = "0.1.0", ["type"] = "sample", ["payload"] = Convert.ToBase64String(bytes) }.ToJsonString();
                }
                catch (JsonException ex)
                {
                    await parseResult.InvocationConfiguration.Error.WriteLineAsync($"the file is neither a COSE bundle nor JSON: {ex.Message}");
                    return 2;
                }
            }

            return await SendAsync(parseResult, "/kbs/v0/reference-value", new StringContent(message, Encoding.UTF8, "application/json"), cancellationToken);
        });
        return command;
    }

    private static Command SetPolicy()
    {
        var kbs = KbsUrl();
        var adminKey = AdminKey();
        var attestation = new Option<FileInfo?>("--attestation") { Description = "Attestation policy document (docs/attestation/policy.md)." };
        var resource = new Option<FileInfo?>("--resource") { Description = "Resource policy document (docs/attestation/policy.md)." };
        var id = new Option<string>("--id") { Description = "Attestation policy id.", DefaultValueFactory = _ => "default" };
        var command = new Command("set-policy", "Set the attestation policy or the resource policy.") { kbs, adminKey, attestation, resource, id };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var a = parseResult.GetValue(attestation);
            var r = parseResult.GetValue(resource);
            if ((a is null) == (r is null))
            {
                await parseResult.InvocationConfiguration.Error.WriteLineAsync("give exactly one of --attestation or --resource");
                return 2;
            }

            var document = await File.ReadAllBytesAsync((a ?? r)!.FullName, cancellationToken);
            var encoded = Convert.ToBase64String(document).TrimEnd('=').Replace('+', '-').Replace('/', '_');
            var (path, body) = a is not null
                ? ("/kbs/v0/attestation-policy", new JsonObject { ["type"] = "podvm", ["policy_id"] = parseResult.GetValue(id), ["policy"] = encoded })
                : ("/kbs/v0/resource-policy", new JsonObject { ["policy"] = encoded });
            return await SendAsync(parseResult, path, new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"), cancellationToken);
        });
        return command;
    }

    private static Command SignReferenceValues()
    {
        var values = new Option<FileInfo>("--values") { Description = "JSON array of {\"name\",\"expiration\",\"value\":[…]} produced by the image build.", Required = true };
        var key = new Option<FileInfo>("--key") { Description = "PEM EC private key of the signer (P-256/P-384/P-521).", Required = true };
        var kid = new Option<string>("--kid") { Description = "Key id the KBS knows the signer by (Kbs:ReferenceValueSigners).", Required = true };
        var producer = new Option<string>("--producer") { Description = "Who produced the values.", DefaultValueFactory = _ => "podvm-image-build" };
        var days = new Option<int>("--valid-days") { Description = "Bundle validity in days.", DefaultValueFactory = _ => 90 };
        var output = new Option<FileInfo>("--out") { Description = "Where to write the signed bundle (COSE_Sign1).", Required = true };
        var command = new Command("sign-reference-values", "Export reference values as a signed PodVm bundle (docs/attestation/reference-values.md).") { values, key, kid, producer, days, output };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            try
            {
                var array = JsonNode.Parse(await File.ReadAllTextAsync(parseResult.GetValue(values)!.FullName, cancellationToken)) as JsonArray
                    ?? throw new JsonException("--values must hold a JSON array");
                var list = array.Select(n => PodVmReferenceBundle.ParseRvpsValue(n, "cli")).ToList();
                using var signer = ECDsa.Create();
                signer.ImportFromPem(await File.ReadAllTextAsync(parseResult.GetValue(key)!.FullName, cancellationToken));
                var now = DateTimeOffset.UtcNow;
                var bundle = PodVmReferenceBundle.Sign(list, signer, parseResult.GetValue(kid)!, parseResult.GetValue(producer)!, now, now.AddDays(parseResult.GetValue(days)));
                await File.WriteAllBytesAsync(parseResult.GetValue(output)!.FullName, bundle, cancellationToken);
                await parseResult.InvocationConfiguration.Output.WriteLineAsync($"signed {list.Count} reference value(s) into {parseResult.GetValue(output)!.FullName}");
                return 0;
            }
            catch (Exception ex) when (ex is JsonException or ReferenceValueException or CryptographicException or ArgumentException)
            {
                await parseResult.InvocationConfiguration.Error.WriteLineAsync($"cannot sign reference values: {ex.Message}");
                return 2;
            }
        });
        return command;
    }

    private static async Task<int> SendAsync(ParseResult parseResult, string path, HttpContent content, CancellationToken cancellationToken)
    {
        var baseUri = parseResult.GetRequiredValue<Uri>("--kbs");
        var keyFile = parseResult.GetRequiredValue<FileInfo>("--admin-key");
        using var adminKey = ECDsa.Create();
        try
        {
            adminKey.ImportFromPem(await File.ReadAllTextAsync(keyFile.FullName, cancellationToken));
        }
        catch (Exception ex) when (ex is IOException or ArgumentException or CryptographicException)
        {
            await parseResult.InvocationConfiguration.Error.WriteLineAsync($"cannot read admin key {keyFile.FullName}: {ex.Message}");
            return 2;
        }

        using var client = new KbsAdminClient(baseUri, adminKey);
        try
        {
            var body = await client.PostAsync(path, content, cancellationToken);
            await parseResult.InvocationConfiguration.Output.WriteLineAsync(body.Length > 0 ? body : "ok");
            return 0;
        }
        catch (KbsAdminException ex)
        {
            await parseResult.InvocationConfiguration.Error.WriteLineAsync(ex.Message);
            return 1;
        }
    }
}
