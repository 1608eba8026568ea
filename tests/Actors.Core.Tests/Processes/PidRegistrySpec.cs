using System.Text;
using System.Text.Json;
using Actors.Processes;
using Xunit;

namespace Actors.Core.Tests.Processes;

/// <summary>The pid registry's files: their format, and that damaged or stale ones never stop a boot.</summary>
public sealed class PidRegistrySpec : IDisposable
{
    private readonly string _stateDir = Directory.CreateTempSubdirectory("actors-pids-").FullName;
    private string Folder => PidRegistry.FolderOf(_stateDir);

    public void Dispose() => Directory.Delete(_stateDir, recursive: true);

    private static PidEntry Sample(int pid = 4321) => new("web", pid, pid, 98765, PidRegistry.CurrentBootId, 1234, 5678);

    private string Put(string file, string content)
    {
        Directory.CreateDirectory(Folder);
        var path = Path.Combine(Folder, file);
        File.WriteAllText(path, content);
        return path;
    }

    [Fact]
    public void An_entry_reads_back_the_same()
    {
        var entry = Sample();
        Assert.Equal(entry, PidEntry.Parse(entry.ToJson()));
    }

    [Fact]
    public void The_file_has_the_documented_shape()
    {
        using var doc = JsonDocument.Parse(Sample().ToJson());
        var root = doc.RootElement;
        Assert.Equal(1, root.GetProperty("version").GetInt32());
        Assert.Equal("web", root.GetProperty("name").GetString());
        Assert.Equal(4321, root.GetProperty("pid").GetInt32());
        Assert.Equal(4321, root.GetProperty("pgid").GetInt32());
        Assert.Equal(98765, root.GetProperty("start-time").GetInt64());
        Assert.Equal(1234, root.GetProperty("node-pid").GetInt32());
        Assert.Equal(5678, root.GetProperty("node-start-time").GetInt64());
        Assert.Equal(PidRegistry.CurrentBootId, root.GetProperty("boot-id").GetString());
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("{\"version\":1,\"name\":\"web\",\"pid\":43", "truncated")]
    [InlineData("not json at all", "garbage")]
    [InlineData("[1,2]", "not an object")]
    [InlineData("{\"version\":2,\"name\":\"web\",\"pid\":4321,\"pgid\":4321,\"start-time\":1,\"boot-id\":\"b\",\"node-pid\":1,\"node-start-time\":1}", "another version")]
    [InlineData("{\"version\":1,\"name\":\"web\",\"pid\":4321,\"pgid\":4321}", "fields missing")]
    [InlineData("{\"version\":1,\"name\":\"web\",\"pid\":\"x\",\"pgid\":4321,\"start-time\":1,\"boot-id\":\"b\",\"node-pid\":1,\"node-start-time\":1}", "a pid that is no number")]
    [InlineData("{\"version\":1,\"name\":\"web\",\"pid\":4321,\"pgid\":1,\"start-time\":1,\"boot-id\":\"b\",\"node-pid\":1,\"node-start-time\":1}", "a pgid that is not the pid")]
    [InlineData("{\"version\":1,\"name\":\"web\",\"pid\":-1,\"pgid\":-1,\"start-time\":1,\"boot-id\":\"b\",\"node-pid\":1,\"node-start-time\":1}", "pid -1 (kill(-1) reaches everything)")]
    public void A_corrupt_entry_is_logged_and_deleted_and_never_signalled(string content, string what)
    {
        var path = Put("4321.json", content);
        var log = new List<string>();

        Assert.Equal(0, PidRegistry.ReapOrphans(_stateDir, log.Add));

        Assert.False(File.Exists(path), what);
        Assert.StartsWith($"corrupt pid registry entry {path} (", Assert.Single(log));
    }

    [Fact]
    public void Entries_whose_pid_is_gone_or_from_an_earlier_boot_and_cut_short_writes_are_deleted_quietly()
    {
        // int.MaxValue is above any pid_max: never a live process.
        Put($"{int.MaxValue}.json", Encoding.UTF8.GetString(Sample(int.MaxValue).ToJson()));
        Put($"{Environment.ProcessId}.json", Encoding.UTF8.GetString((Sample(Environment.ProcessId) with { BootId = "an-earlier-boot" }).ToJson()));
        Put("77.json.tmp", "{\"vers");
        var log = new List<string>();

        Assert.Equal(0, PidRegistry.ReapOrphans(_stateDir, log.Add));

        Assert.Empty(log);
        Assert.Empty(Directory.GetFiles(Folder));
    }

    [Fact]
    public void No_registry_folder_means_nothing_to_reap()
    {
        var log = new List<string>();
        Assert.Equal(0, PidRegistry.ReapOrphans(_stateDir, log.Add));
        Assert.Empty(log);
    }

    [Fact]
    public void The_registry_writes_an_entry_per_child_and_deletes_it_when_gone()
    {
        var warnings = new List<string>();
        using (var registry = new PidRegistry(_stateDir, warnings.Add))
        {
            registry.Added("web", 4321, 98765);
            registry.Added("db", 4322, 98766);
            registry.Removed(4322, 98766);
            registry.Removed(4321, 11111); // a late removal of an older child that had the same pid
        } // Dispose writes what is queued

        Assert.Empty(warnings);
        var entry = PidEntry.Parse(File.ReadAllBytes(Path.Combine(Folder, "4321.json")));
        Assert.Equal(("web", 4321, 4321, 98765L), (entry.Name, entry.Pid, entry.Pgid, entry.StartTime));
        Assert.Equal(Environment.ProcessId, entry.NodePid);
        Assert.Equal(ProcStat.ReadStartTime(Environment.ProcessId), entry.NodeStartTime);
        Assert.Equal(["4321.json"], Directory.GetFiles(Folder).Select(Path.GetFileName));
    }

    [Fact]
    public void A_folder_that_cannot_be_written_is_warned_about_once_naming_it()
    {
        File.WriteAllText(Folder, "a file where the folder should be");
        var warnings = new List<string>();
        using (var registry = new PidRegistry(_stateDir, warnings.Add))
        {
            registry.Added("web", 4321, 98765);
            registry.Added("db", 4322, 98766);
            registry.Removed(4321, 98765);
        }
        Assert.Contains($"the pid registry {Folder} cannot be written", Assert.Single(warnings));
    }
}
