using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Actors.Node.Control;

/// <summary>
/// Reads a request's JSON body. Kestrel enforces the size limit (413); anything that is not the JSON object
/// the endpoint expects is a 400 whose message says what was expected.
/// </summary>
internal static class RequestBody
{
    /// <summary>Bodies are a few names and flags; anything larger is a mistake or an attack.</summary>
    public const long MaxBytes = 64 * 1024;

    public static async Task<JsonElement> ReadObjectAsync(HttpContext ctx, string expected)
    {
        using var buffer = new MemoryStream();
        try
        {
            await ctx.Request.Body.CopyToAsync(buffer, ctx.RequestAborted);
        }
        catch (BadHttpRequestException e)
        {
            throw new ApiError(e.StatusCode, e.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? $"request body is larger than {MaxBytes} bytes; expected {expected}"
                : $"unreadable request body ({e.Message}); expected {expected}");
        }
        if (buffer.Length == 0)
            throw new ApiError(400, $"empty request body; expected {expected}");
        try
        {
            using var document = JsonDocument.Parse(buffer.ToArray());
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw new ApiError(400, $"request body is a JSON {document.RootElement.ValueKind.ToString().ToLowerInvariant()}; expected {expected}");
            return document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new ApiError(400, $"request body is not valid JSON ({e.Message}); expected {expected}");
        }
    }

    /// <summary>The target of a process command: <c>{"names": [...]}</c> or <c>{"all": true}</c>; null names means all.</summary>
    public static IReadOnlyList<string>? Targets(JsonElement body, string expected)
    {
        var all = OptionalBool(body, "all");
        List<string>? names = null;
        if (body.TryGetProperty("names", out var namesValue))
        {
            if (namesValue.ValueKind != JsonValueKind.Array)
                throw new ApiError(400, $"\"names\" must be an array of process names; expected {expected}");
            names = new List<string>();
            foreach (var item in namesValue.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(item.GetString()))
                    throw new ApiError(400, $"\"names\" must hold non-empty strings; expected {expected}");
                names.Add(item.GetString()!);
            }
        }
        if (all && names is { Count: > 0 })
            throw new ApiError(400, "give either \"names\" or \"all\": true, not both");
        if (!all && names is not { Count: > 0 })
            throw new ApiError(400, $"no process named; expected {expected}");
        return all ? null : names;
    }

    public static string? OptionalString(JsonElement body, string key)
    {
        if (!body.TryGetProperty(key, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind != JsonValueKind.String)
            throw new ApiError(400, $"\"{key}\" must be a string");
        return value.GetString();
    }

    public static bool OptionalBool(JsonElement body, string key)
    {
        if (!body.TryGetProperty(key, out var value)) return false;
        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False or JsonValueKind.Null => false,
            _ => throw new ApiError(400, $"\"{key}\" must be true or false"),
        };
    }
}
