using System.Text.Json;
using PodVm.Attestation.Verifiers.Common;

namespace PodVm.Attestation.Verification;

/// <summary>
/// Evidence the KBS has parsed already: <paramref name="Element"/> of <paramref name="Document"/> (whose byte arrays may
/// be masked: read their contents through the document, see <see cref="MaskedJsonDocument"/>).
/// </summary>
/// <param name="Document">The parsed request (valid while the verification runs).</param>
/// <param name="Element">The evidence's element in it.</param>
internal readonly record struct ParsedJsonEvidence(MaskedJsonDocument Document, JsonElement Element);
