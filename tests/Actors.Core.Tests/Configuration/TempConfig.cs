namespace Actors.Core.Tests.Configuration;

/// <summary>A temporary folder holding real config files, removed after the test.</summary>
public sealed class TempConfig : IDisposable
{
    public string Dir { get; } = Directory.CreateTempSubdirectory("actors-config-").FullName;

    public string Write(string text, string name = "node.conf")
    {
        var path = Path.Combine(Dir, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    public void Dispose() => Directory.Delete(Dir, recursive: true);
}
