namespace Actors.Hosting;

/// <summary>A process name that the supervision does not declare; <see cref="Known"/> lists those it does.</summary>
public sealed class UnknownProcessException(IReadOnlyList<string> unknown, IReadOnlyList<string> known)
    : Exception($"no process named {string.Join(", ", unknown)}; known: {(known.Count == 0 ? "none" : string.Join(", ", known))}")
{
    public IReadOnlyList<string> Unknown { get; } = unknown;

    public IReadOnlyList<string> Known { get; } = known;
}
