namespace Actors.Node.Control;

/// <summary>
/// A request the API refuses, with the HTTP status and a message for the operator. <paramref name="Extra"/>
/// adds fields to the JSON error body (e.g. the known process names).
/// </summary>
internal sealed class ApiError(int status, string message, Action<System.Text.Json.Utf8JsonWriter>? extra = null) : Exception(message)
{
    public int Status { get; } = status;
    public Action<System.Text.Json.Utf8JsonWriter>? Extra { get; } = extra;
}
