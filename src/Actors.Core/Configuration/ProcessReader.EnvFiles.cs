namespace Actors.Configuration;

internal sealed partial class ProcessReader
{
    private const string EnvFileHint = "use env-file = \".env\" or a list, env-file = [\".env\", \"local.env\"]";

    /// <summary>
    /// <c>env-file</c>: one file name or a list, relative to the working-dir. For a declared process the files are read
    /// now: a missing or malformed one is an error at its own line, and what they hold is kept, so a reload restarts
    /// the process when a file changed.
    /// </summary>
    private EnvFileSettings ReadEnvFiles(string workingDir, bool checkFileSystem)
    {
        const string key = "env-file";
        if (r.Find(key) is not var (value, layer))
            return EnvFileSettings.None;
        var path = r.PathOf(layer, key);
        IReadOnlyList<string> names;
        if (value.IsObject())
        {
            D.Error(path, $"an object {{ }} is not a file name; {EnvFileHint}");
            return EnvFileSettings.None;
        }
        if (LayeredReader.IsScalar(value))
            names = [value.GetString() ?? ""];
        else
            names = r.List<string>(key, (string t, out string v) => { v = t; return true; }, "a file name", "\".env\", \"local.env\"").Value;
        var files = new List<string>();
        foreach (var name in names)
        {
            if (name.Trim().Length == 0)
                D.Error(path, $"\"{name}\" is not a file name; {EnvFileHint}");
            else
                files.Add(Path.GetFullPath(Path.Combine(workingDir, PathResolver.ExpandHome(name))));
        }
        if (!checkFileSystem || files.Count == 0)
            return new EnvFileSettings(files, new Dictionary<string, string>());
        var values = EnvFiles.Read(files, EnvFiles.NodeEnvironment(), out var problem);
        if (problem is { Line: { } line })
            D.ErrorIn(problem.File, line, path, problem.Message);
        else if (problem is not null)
            D.Error(path, $"{problem.File} {problem.Message}");
        return new EnvFileSettings(files, values);
    }
}
