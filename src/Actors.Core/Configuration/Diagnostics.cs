namespace Actors.Configuration;

/// <summary>
/// Collects every problem found while reading one file, so a user fixes them all in one pass
/// instead of one per run. Locates each problem through the line index of the raw text.
/// </summary>
internal sealed class Diagnostics(string file, HoconLineIndex lines)
{
    private readonly List<ConfigProblem> _errors = [];
    private readonly List<ConfigProblem> _warnings = [];
    // Reported problems, to drop repeats in constant time: a file may hold a hundred thousand problems.
    private readonly HashSet<ConfigProblem> _seenErrors = [];
    private readonly HashSet<ConfigProblem> _seenWarnings = [];

    public string File { get; } = file;

    public bool HasErrors => _errors.Count > 0;

    public void Error(string path, string message) => Add(_errors, _seenErrors, path, message);

    public void Warn(string path, string message) => Add(_warnings, _seenWarnings, path, message);

    public void ErrorAtLine(int? line, string message) => _errors.Add(new ConfigProblem(File, line, "", message));

    /// <summary>A problem in another file the key names (an env file): located in that file, at its line.</summary>
    public void ErrorIn(string file, int? line, string path, string message)
    {
        var problem = new ConfigProblem(file, line, path, message);
        if (_seenErrors.Add(problem))
            _errors.Add(problem);
    }

    // A value inherited from actors.defaults is read once per process; the same problem is reported once.
    private void Add(List<ConfigProblem> list, HashSet<ConfigProblem> seen, string path, string message)
    {
        // A key with no written ancestor (actors itself is missing) is reported at the top of the file.
        var problem = new ConfigProblem(File, lines.LineOf(path) ?? 1, path, message);
        if (seen.Add(problem))
            list.Add(problem);
    }

    public IReadOnlyList<ConfigProblem> Errors => _errors;

    public IReadOnlyList<ConfigProblem> Warnings => _warnings;
}
