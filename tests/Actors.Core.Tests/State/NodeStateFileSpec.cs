using System.Text.Json;
using Actors.State;
using Actors.Supervision;
using Xunit;

namespace Actors.Core.Tests.State;

public sealed class NodeStateFileSpec : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("actors-state-").FullName;
    private string File => Path.Combine(_dir, "state.json");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly Dictionary<string, SavedIntent> Sample = new()
    {
        ["web"] = new SavedIntent(true, "stopped by request", new DateTimeOffset(2026, 11, 23, 10, 0, 0, TimeSpan.Zero), 3),
        ["db"] = new SavedIntent(false, null, null, 7),
    };

    [Fact]
    public void What_is_saved_loads_back_the_same()
    {
        NodeStateFile.Save(File, Sample);
        var loaded = NodeStateFile.Load(File, out var warning);
        Assert.Null(warning);
        Assert.Equal(Sample.OrderBy(p => p.Key), loaded.OrderBy(p => p.Key));
    }

    [Fact]
    public void The_file_has_the_documented_shape()
    {
        NodeStateFile.Save(File, Sample);
        using var doc = JsonDocument.Parse(System.IO.File.ReadAllText(File));
        var root = doc.RootElement;
        Assert.Equal(1, root.GetProperty("version").GetInt32());
        var web = root.GetProperty("processes").GetProperty("web");
        Assert.True(web.GetProperty("kept-stopped").GetBoolean());
        Assert.Equal("stopped by request", web.GetProperty("stop-reason").GetString());
        Assert.StartsWith("2026-11-23T10:00:00", web.GetProperty("stopped-at").GetString());
        Assert.Equal(3, web.GetProperty("restarts").GetInt32());
    }

    [Fact]
    public void Processes_with_nothing_to_keep_are_left_out()
    {
        NodeStateFile.Save(File, new Dictionary<string, SavedIntent> { ["idle"] = SavedIntent.Default });
        Assert.Empty(NodeStateFile.Load(File, out _));
    }

    [Fact]
    public void A_missing_file_is_an_empty_state_without_warning()
    {
        Assert.Empty(NodeStateFile.Load(File, out var warning));
        Assert.Null(warning);
    }

    [Theory]
    [InlineData("not json at all")]
    [InlineData("{\"version\":1,\"processes\":{\"web\":{\"kept-stopped\":tr")] // truncated mid-write
    [InlineData("")]
    [InlineData("[1,2]")]
    [InlineData("{\"version\":2,\"processes\":{}}")]
    [InlineData("{\"version\":1,\"processes\":{\"web\":{\"kept-stopped\":\"yes\"}}}")]
    [InlineData("{\"version\":1,\"processes\":{\"web\":{\"stopped-at\":\"yesterday\"}}}")]
    public void A_damaged_file_is_an_empty_state_with_a_warning_naming_it(string content)
    {
        System.IO.File.WriteAllText(File, content);
        Assert.Empty(NodeStateFile.Load(File, out var warning));
        Assert.NotNull(warning);
        Assert.Contains(File, warning);
    }

    [Fact]
    public void An_unreadable_path_is_an_empty_state_with_a_warning()
    {
        // A folder where the file should be: reading it fails like an unreadable file does.
        Directory.CreateDirectory(File);
        Assert.Empty(NodeStateFile.Load(File, out var warning));
        Assert.NotNull(warning);
    }

    [Fact]
    public void Saving_leaves_no_temporary_file_behind_and_replaces_the_old_content()
    {
        NodeStateFile.Save(File, Sample);
        NodeStateFile.Save(File, new Dictionary<string, SavedIntent> { ["db"] = new(false, null, null, 8) });
        Assert.Equal(["state.json"], Directory.GetFiles(_dir).Select(Path.GetFileName));
        Assert.Equal(8, NodeStateFile.Load(File, out _).Single().Value.Restarts);
    }

    [Fact]
    public void A_failed_save_throws_and_leaves_the_old_file()
    {
        NodeStateFile.Save(File, Sample);
        // The temporary file's name taken by a folder: the write fails before the rename.
        Directory.CreateDirectory(File + ".tmp");
        var e = Assert.ThrowsAny<Exception>(() => NodeStateFile.Save(File, new Dictionary<string, SavedIntent>()));
        Assert.True(e is IOException or UnauthorizedAccessException, e.ToString());
        Assert.Equal(2, NodeStateFile.Load(File, out _).Count);
    }

    [Fact]
    public void Saving_creates_the_state_folder()
    {
        var nested = Path.Combine(_dir, "a", "b", "state.json");
        NodeStateFile.Save(nested, Sample);
        Assert.Equal(2, NodeStateFile.Load(nested, out _).Count);
    }
}
