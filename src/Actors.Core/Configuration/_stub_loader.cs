namespace Actors.Configuration;
public sealed record ConfigProblem(string File, int? Line, string Path, string Message);
public sealed record ConfigLoadResult(ActorsSettings? Settings, IReadOnlyList<ConfigProblem> Errors, IReadOnlyList<ConfigProblem> Warnings) { public bool IsValid => Errors.Count == 0; }
public static class ConfigLoader { public static ConfigLoadResult LoadFile(string p) => throw new InvalidOperationException(p); public static ConfigLoadResult LoadText(string t, string? f, string b) => throw new InvalidOperationException(t + f + b); }
