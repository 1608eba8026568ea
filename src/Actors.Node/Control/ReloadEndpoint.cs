using Microsoft.AspNetCore.Http;

namespace Actors.Node.Control;

/// <summary>
/// <c>POST /v1/reload</c>: 200 <c>{"added", "removed", "changed", "unchanged", "warnings"}</c> (process names),
/// or 422 <c>{"error", "problems", "warnings"}</c> when the file is invalid (then nothing changed).
/// </summary>
internal static class ReloadEndpoint
{
    public static async Task HandleAsync(HttpContext ctx, ReloadService reload)
    {
        var outcome = await reload.ReloadAsync("control API");
        if (outcome.Applied is not { } applied)
        {
            await JsonResponse.WriteErrorAsync(ctx, 422,
                $"the configuration has {outcome.Errors.Count} problem(s); nothing was changed",
                w =>
                {
                    WriteList(w, "problems", outcome.Errors);
                    WriteList(w, "warnings", outcome.Warnings);
                });
            return;
        }
        await JsonResponse.WriteAsync(ctx, 200, w =>
        {
            w.WriteStartObject();
            WriteList(w, "added", applied.Added);
            WriteList(w, "removed", applied.Removed);
            WriteList(w, "changed", applied.Changed);
            WriteList(w, "unchanged", applied.Unchanged);
            WriteList(w, "warnings", outcome.Warnings);
            w.WriteEndObject();
        });
    }

    private static void WriteList(System.Text.Json.Utf8JsonWriter w, string key, IEnumerable<string> items)
    {
        w.WriteStartArray(key);
        foreach (var item in items) w.WriteStringValue(item);
        w.WriteEndArray();
    }
}
