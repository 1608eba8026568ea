namespace Actors.Node.Client;

/// <summary>Colour and width, only when a person is looking: stdout is a terminal and NO_COLOR is not set.</summary>
internal sealed class Terminal(TextWriter stdout)
{
    public bool Colour { get; } = ReferenceEquals(stdout, Console.Out) && !Console.IsOutputRedirected
                                  && Environment.GetEnvironmentVariable("NO_COLOR") is null or "";

    /// <summary>The terminal's width, or null (no truncation) when the output goes to a file or pipe.</summary>
    public int? Width => Colour && Console.WindowWidth > 20 ? Console.WindowWidth : null;

    public string State(string state, string text) => Paint(text, state switch
    {
        "running" or "ready" or "completed" => "32",
        "starting" or "stopping" or "backing-off" or "waiting" => "33",
        "failed" => "31",
        "stopped" => "2",
        _ => null,
    });

    public string Paint(string text, string? code) => Colour && code is not null ? $"\e[{code}m{text}\e[0m" : text;
}

/// <summary>Durations the way people read them: 42s, 5m02s, 3h05m, 2d04h.</summary>
internal static class HumanTime
{
    public static string Format(double seconds)
    {
        var s = (long)Math.Floor(seconds);
        return s switch
        {
            < 60 when seconds < 10 => $"{seconds:0.#}s",
            < 60 => $"{s}s",
            < 3600 => $"{s / 60}m{s % 60:00}s",
            < 86400 => $"{s / 3600}h{s % 3600 / 60:00}m",
            _ => $"{s / 86400}d{s % 86400 / 3600:00}h",
        };
    }
}
