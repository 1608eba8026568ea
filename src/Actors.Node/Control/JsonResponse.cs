using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Actors.Node.Control;

/// <summary>Writes a whole JSON answer with its length known, so clients read exactly one body.</summary>
internal static class JsonResponse
{
    /// <summary>Readable output: quotes and non-ASCII text stay as they are (the body is UTF-8, never embedded in HTML).</summary>
    public static readonly JsonWriterOptions Options = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static async Task WriteAsync(HttpContext ctx, int status, Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var writer = new Utf8JsonWriter(buffer, Options))
        {
            write(writer);
        }
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json";
        ctx.Response.ContentLength = buffer.WrittenCount + 1;
        await ctx.Response.Body.WriteAsync(buffer.WrittenMemory, ctx.RequestAborted);
        await ctx.Response.Body.WriteAsync("\n"u8.ToArray(), ctx.RequestAborted);
    }

    public static Task WriteErrorAsync(HttpContext ctx, int status, string message, Action<Utf8JsonWriter>? extra = null) =>
        WriteAsync(ctx, status, w =>
        {
            w.WriteStartObject();
            w.WriteString("error", message);
            extra?.Invoke(w);
            w.WriteEndObject();
        });
}
