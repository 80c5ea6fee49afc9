using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using PodVm.Attestation.Verification;
using PodVm.Attestation.Verifiers;
using PodVm.Attestation.Verifiers.Snp;
using PodVm.Attestation.Verifiers.Tdx;
using PodVm.Attestation.Verifiers.Tpm;

namespace PodVm.Cli.Commands;

/// <summary>
/// <c>podvm attest verify</c> (evidence → JSON claims; exit 0 verified, 1 rejected with the reason on stderr, 2 usage
/// error) and <c>podvm attest eventlog</c> (replayed registers per bank). Public so tests can run it in-process.
/// </summary>
public static class AttestCommand
{
    public const int Verified = 0;
    public const int Rejected = 1;
    public const int UsageError = 2;

    private static readonly string[] Tees = ["snp", "tdx", "tpm", "az-snp-vtpm", "az-tdx-vtpm"];
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static Command Create()
    {
        var command = new Command("attest", "Verify TEE evidence offline and inspect event logs.");
        command.Subcommands.Add(CreateVerify());
        command.Subcommands.Add(CreateEventLog());
        return command;
    }

    private static Command CreateVerify()
    {
        var tee = new Option<string>("--tee") { Description = "snp | tdx | tpm | az-snp-vtpm | az-tdx-vtpm" };
        var evidence = new Option<FileInfo>("--evidence") { Description = "Evidence file (SNP: binary, hex or Trustee JSON; TDX: quote or Trustee JSON; TPM and Azure: Trustee JSON)" };
        var vcek = new Option<FileInfo>("--vcek") { Description = "SNP: the VCEK or VLEK (DER or PEM)" };
        var caChain = new Option<FileInfo>("--ca-chain") { Description = "SNP: ASK/ASVK and ARK (DER or PEM); default: the AMD roots shipped with PodVm" };
        var reportData = new Option<string>("--report-data") { Description = "Expected report data (hex), zero-padded to the field" };
        var nonce = new Option<string>("--nonce") { Description = "TPM/vTPM: expected extraData (hex)" };
        var collateral = new Option<DirectoryInfo>("--collateral") { Description = "TDX: directory with tcbInfo.json, enclaveIdentity.json, *issuer-chain*.pem, pckcrl, rootcrl" };
        var at = new Option<string>("--at") { Description = "Verification time (ISO-8601); default: now" };
        var command = new Command("verify", "Verify evidence and print its claims as JSON.")
        {
            tee, evidence, vcek, caChain, reportData, nonce, collateral, at,
        };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            int Usage(string message)
            {
                error.WriteLine($"usage error: {message}");
                return UsageError;
            }

            if (parseResult.UnmatchedTokens.Count > 0)
            {
                return Usage($"unexpected arguments: {string.Join(' ', parseResult.UnmatchedTokens)}");
            }

            var teeName = parseResult.GetValue(tee);
            if (teeName is null || !Tees.Contains(teeName, StringComparer.Ordinal))
            {
                return Usage($"--tee must be one of {string.Join(", ", Tees)}");
            }

            var evidenceFile = parseResult.GetValue(evidence);
            if (evidenceFile is null || !evidenceFile.Exists)
            {
                return Usage(evidenceFile is null ? "--evidence FILE is required" : $"evidence file {evidenceFile.FullName} does not exist");
            }

            var certificateFiles = new[] { parseResult.GetValue(vcek), parseResult.GetValue(caChain) }.Where(f => f is not null).Select(f => f!).ToList();
            if (certificateFiles.Count > 0 && teeName != "snp")
            {
                return Usage("--vcek and --ca-chain apply to --tee snp only");
            }

            if (certificateFiles.FirstOrDefault(f => !f.Exists) is { } missing)
            {
                return Usage($"certificate file {missing.FullName} does not exist");
            }

            var collateralDirectory = parseResult.GetValue(collateral);
            if (collateralDirectory is not null && (teeName is not ("tdx" or "az-tdx-vtpm") || !collateralDirectory.Exists))
            {
                return Usage("--collateral DIR applies to --tee tdx and az-tdx-vtpm and must exist");
            }

            var reportDataHex = parseResult.GetValue(reportData);
            var nonceHex = parseResult.GetValue(nonce);
            if (reportDataHex is not null && nonceHex is not null)
            {
                return Usage("give either --report-data or --nonce");
            }

            byte[] expected = [];
            var hex = reportDataHex ?? nonceHex;
            if (hex is not null && !TryHex(hex, out expected))
            {
                return Usage($"'{hex}' is not hex");
            }

            DateTimeOffset? time = null;
            if (parseResult.GetValue(at) is { } atText)
            {
                if (!DateTimeOffset.TryParse(atText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
                {
                    return Usage($"--at '{atText}' is not an ISO-8601 time");
                }

                time = parsed;
            }

            var request = new EvidenceToVerify
            {
                Evidence = await File.ReadAllBytesAsync(evidenceFile.FullName, cancellationToken),
                ExpectedReportData = expected,
                At = time,
                Certificates = [.. await Task.WhenAll(certificateFiles.Select(f => File.ReadAllBytesAsync(f.FullName, cancellationToken)))],
            };
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };
            var verifier = CreateVerifier(teeName, collateralDirectory, http);
            var result = await verifier.VerifyAsync(request, cancellationToken);
            if (!result.IsVerified)
            {
                error.WriteLine($"rejected: {result.Failure}");
                return Rejected;
            }

            output.WriteLine(result.Claims.ToJsonString(Indented));
            return Verified;
        });
        return command;
    }

    private static Command CreateEventLog()
    {
        var file = new Argument<FileInfo>("FILE") { Description = "A TCG event log (binary_bios_measurements) or a TDX CCEL" };
        var command = new Command("eventlog", "Replay an event log and print the registers per bank as JSON.") { file };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var path = parseResult.GetValue(file);
            if (path is null || !path.Exists)
            {
                parseResult.InvocationConfiguration.Error.WriteLine($"usage error: event log {path?.FullName} does not exist");
                return UsageError;
            }

            var bytes = await File.ReadAllBytesAsync(path.FullName, cancellationToken);
            if (!EventLogReplay.TryReplay(bytes, out var replayed, out var reason))
            {
                parseResult.InvocationConfiguration.Error.WriteLine($"rejected: MalformedEvidence: {reason}");
                return Rejected;
            }

            parseResult.InvocationConfiguration.Output.WriteLine(replayed!.ToJsonString(Indented));
            return Verified;
        });
        return command;
    }

    private static IEvidenceVerifier CreateVerifier(string tee, DirectoryInfo? collateral, HttpClient http)
    {
        var time = TimeProvider.System;
        var tdxOptions = new TdxVerifierOptions { CollateralSource = collateral is null ? null : StaticTdxCollateralSource.FromDirectory(collateral.FullName) };
        var snpOptions = new SnpVerifierOptions { CertificateSource = new CachingSnpCertificateSource(new KdsSnpCertificateSource(http)) };
        return tee switch
        {
            "snp" => EvidenceVerifiers.CreateSnp(snpOptions, time),
            "tdx" => EvidenceVerifiers.CreateTdx(tdxOptions, time),
            "tpm" => EvidenceVerifiers.CreateTpm(new TpmVerifierOptions(), time),
            "az-snp-vtpm" => EvidenceVerifiers.CreateAzSnpVtpm(snpOptions, time),
            _ => EvidenceVerifiers.CreateAzTdxVtpm(tdxOptions, time),
        };
    }

    private static bool TryHex(string text, out byte[] bytes)
    {
        var trimmed = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? text[2..] : text;
        try
        {
            bytes = Convert.FromHexString(trimmed);
            return true;
        }
        catch (FormatException)
        {
            bytes = [];
            return false;
        }
    }
}
