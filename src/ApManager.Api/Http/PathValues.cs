using System.Globalization;
using ApManager.Api.Problems;
using ApManager.Core.Masks;
using ApManager.Core.Matrix;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ApManager.Api.Http;

/// <summary>Parses ids from paths and queries; a malformed value is a 400 problem naming it.</summary>
public static class PathValues
{
    /// <summary>An adapter or domain id: decimal 0..255.</summary>
    public static bool TryId(string? text, out int id) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out id) && id <= 255;

    public static ProblemHttpResult BadId(HttpContext context, string kind, string? text) =>
        ProblemFactory.Invalid(context, kind, $"'{text}' is not a {kind} id: use a decimal number 0..255.");

    public static ProblemHttpResult BadApqn(HttpContext context, string? text) =>
        ProblemFactory.Invalid(context, "apqn", $"'{text}' is not an APQN: write two hex digits, a dot and four hex digits, e.g. 05.0004 (domain at most 00ff).");

    public static ProblemHttpResult BadUuid(HttpContext context, string? text) =>
        ProblemFactory.Invalid(context, "uuid", $"'{text}' is not a UUID: use the 8-4-4-4-12 hex form, e.g. 0b1f7c3e-2d4a-4e55-9f1d-7a0c2b9e6d11.");

    public static bool TryApqn(string? text, out Apqn apqn) => Apqn.TryParse(text, out apqn);

    public static bool TryMdev(string? text, out MdevId id) => MdevId.TryParse(text, out id);
}
