using System.Buffers;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json.Serialization;
using System.Text.Json;
using System.Text;
using ApManager.Api.Problems;
using ApManager.Core.Masks;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ApManager.Api.Http;

/// <summary>
/// Reads request bodies, query values and preconditions strictly: every malformed input becomes
/// a clear 4xx problem before any state is touched.
/// </summary>
public static class RequestInput
{
    /// <summary>JSON bodies are small; anything larger is refused with 413.</summary>
    public const int MaxJsonBytes = 64 * 1024;

    /// <summary>
    /// Mask bodies: the parser sees up to 4 KiB like sysfs (longer masks answer E2BIG as the kernel
    /// would); a body beyond 8 KiB is refused whole with 413.
    /// </summary>
    public const int MaxMaskBytes = 8 * 1024;

    private static readonly JsonSerializerOptions Strict = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
        NumberHandling = JsonNumberHandling.Strict,
        AllowTrailingCommas = false,
        ReadCommentHandling = JsonCommentHandling.Disallow,
    };

    /// <summary>A mask write: JSON <c>{"mask": "..."}</c> or the raw <c>text/plain</c> bytes echo would write.</summary>
    public static async Task<(MaskInput Input, ProblemHttpResult? Problem)> ReadMaskAsync(HttpContext context)
    {
        var request = context.Request;
        var mediaType = MediaType(request);
        if (mediaType == "text/plain")
        {
            var (bytes, tooLarge) = await ReadBytesAsync(request, MaxMaskBytes);
            if (tooLarge is not null)
            {
                return (default, tooLarge);
            }
            // The parser sees the exact bytes; the text shown back replaces invalid UTF-8.
            return (new MaskInput(Encoding.UTF8.GetString(bytes!), bytes!), null);
        }
        var (body, problem) = await ReadJsonAsync<MaskWriteRequest>(context, allowEmpty: false, MaxMaskBytes);
        return problem is not null ? (default, problem) : (MaskInput.FromString(body!.Mask), null);
    }

    /// <summary>
    /// Reads a JSON body into <typeparamref name="T"/>: 415 for another media type, 413 when too
    /// large, 400 for malformed JSON, unknown members or missing required members.
    /// </summary>
    public static async Task<(T? Value, ProblemHttpResult? Problem)> ReadJsonAsync<T>(HttpContext context, bool allowEmpty, int maxBytes = MaxJsonBytes)
        where T : class
    {
        var request = context.Request;
        var mediaType = MediaType(request);
        if (mediaType is null && allowEmpty && request.ContentLength is null or 0 && !request.Headers.ContainsKey("Transfer-Encoding"))
        {
            return (null, null);
        }
        if (mediaType is not ("application/json" or "application/merge-patch+json"))
        {
            return (null, ProblemFactory.UnsupportedMediaType(context, mediaType, typeof(T) == typeof(MaskWriteRequest)));
        }
        var (bytes, tooLarge) = await ReadBytesAsync(request, maxBytes);
        if (tooLarge is not null)
        {
            return (null, tooLarge);
        }
        if (bytes!.Length == 0)
        {
            return allowEmpty ? (null, null) : (null, ProblemFactory.InvalidBody(context, "The request body is empty; a JSON object is required."));
        }
        try
        {
            var value = JsonSerializer.Deserialize<T>(bytes, Strict);
            return value is null
                ? (null, ProblemFactory.InvalidBody(context, "The request body must be a JSON object, not null."))
                : (value, null);
        }
        catch (JsonException ex)
        {
            return (null, ProblemFactory.InvalidBody(context, JsonBodyErrors.Describe(ex, typeof(T))));
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or DecoderFallbackException)
        {
            return (null, ProblemFactory.InvalidBody(context, "The request body contains text that is not valid UTF-8/UTF-16."));
        }
    }

    private static string? MediaType(HttpRequest request) =>
        MediaTypeHeaderValue.TryParse(request.ContentType, out var parsed) ? parsed.MediaType?.ToLowerInvariant() : null;

    private const int ExactReadBytes = 64 * 1024;

    private static async Task<(byte[]? Bytes, ProblemHttpResult? Problem)> ReadBytesAsync(HttpRequest request, int limit)
    {
        if (request.ContentLength > limit)
        {
            return (null, ProblemFactory.PayloadTooLarge(request.HttpContext, limit));
        }
        if (request.ContentLength is { } length and <= ExactReadBytes)
        {
            // The common case: read into an array of exactly that size (no 8 KiB chunk and copy per write).
            // Only for small bodies: a declared length is not yet data, and must not size a large allocation.
            var exact = new byte[length];
            var filled = 0;
            int got;
            while (filled < exact.Length && (got = await request.Body.ReadAsync(exact.AsMemory(filled), request.HttpContext.RequestAborted)) > 0)
            {
                filled += got;
            }
            // Kestrel ends a body at its Content-Length; a shorter one was cut off and reads as what arrived.
            return (filled == exact.Length ? exact : exact[..filled], null);
        }
        using var buffer = new MemoryStream();
        var chunk = ArrayPool<byte>.Shared.Rent(8192);
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted)) > 0)
            {
                if (buffer.Length + read > limit)
                {
                    return (null, ProblemFactory.PayloadTooLarge(request.HttpContext, limit));
                }
                buffer.Write(chunk, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
        return (buffer.ToArray(), null);
    }
}
