using Actors.Configuration;
using Actors.Processes;
using Xunit;

namespace Actors.Core.Tests.Configuration;

public sealed class EnvFileConfigSpec : IDisposable
{
    private readonly TempConfig _temp = new();

    public void Dispose() => _temp.Dispose();

    private ConfigLoadResult Load(string body) =>
        ConfigLoader.LoadFile(_temp.Write($"actors.processes.web {{\n  command = sh\n  {body}\n}}\n"));

    private static Dictionary<string, string> EnvOf(LaunchSpec spec) =>
        spec.Environment.ToDictionary(e => e[..e.IndexOf('=')], e => e[(e.IndexOf('=') + 1)..]);

    [Fact]
    public void Env_wins_over_files_and_a_later_file_over_an_earlier_one_which_win_over_the_node()
    {
        Directory.CreateDirectory(Path.Combine(_temp.Dir, "app"));
        _temp.Write("A=from-first\nB=from-first\nHOME=from-file\nREF=${A}/${B}\n", "app/.env");
        _temp.Write("B=from-second\nC=from-second\nACTORS_PROCESS=forged\n", "app/local.env");

        var result = Load("working-dir = app, env-file = [\".env\", \"local.env\"], env { C = from-env }");

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var web = result.Settings!.Processes[0];
        Assert.Equal([Path.Combine(_temp.Dir, "app", ".env"), Path.Combine(_temp.Dir, "app", "local.env")], web.EnvFiles.Files);
        var env = EnvOf(LaunchSpecs.From(web));
        Assert.Equal("from-first", env["A"]);
        Assert.Equal("from-second", env["B"]);
        Assert.Equal("from-env", env["C"]);
        Assert.Equal("from-file", env["HOME"]);
        Assert.Equal("from-first/from-first", env["REF"]);
        Assert.Equal("web", env["ACTORS_PROCESS"]);
        Assert.Equal(Environment.GetEnvironmentVariable("PATH"), env["PATH"]);
    }

    [Fact]
    public void One_file_name_is_enough_and_inherit_env_off_keeps_only_path_and_the_node_variables()
    {
        _temp.Write("FROM_FILE=1\n", ".env");

        var result = Load("env-file = \".env\", inherit-env = off, env { FROM_ENV = 2 }");

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var env = EnvOf(LaunchSpecs.From(result.Settings!.Processes[0]));
        Assert.Equal(["ACTORS_NODE", "ACTORS_PROCESS", "ACTORS_REPLICA", "ACTORS_REPLICAS", "FROM_ENV", "FROM_FILE", "PATH"], env.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(Environment.GetEnvironmentVariable("PATH"), env["PATH"]);
    }

    [Fact]
    public void A_malformed_file_is_an_error_at_its_own_line_naming_the_key()
    {
        var envFile = _temp.Write("OK=1\n\nBAD=\"open\n", ".env");

        var result = Load("env-file = \".env\"");

        var error = Assert.Single(result.Errors);
        Assert.Equal($"{envFile}:3: actors.processes.web.env-file: the double quote opened here is never closed; end the value with \"", error.ToString());
    }

    [Fact]
    public void A_missing_file_or_a_folder_is_an_error_at_the_key_naming_the_file()
    {
        Directory.CreateDirectory(Path.Combine(_temp.Dir, "adir"));

        var missing = Assert.Single(Load("env-file = [\"missing.env\"]").Errors);
        var folder = Assert.Single(Load("env-file = \"adir\"").Errors);

        Assert.Equal($"{Path.Combine(_temp.Dir, "node.conf")}:3: actors.processes.web.env-file: {Path.Combine(_temp.Dir, "missing.env")} does not exist; create it, or take it out of env-file", missing.ToString());
        Assert.EndsWith($"actors.processes.web.env-file: {Path.Combine(_temp.Dir, "adir")} is a folder, not a file", folder.ToString());
    }

    [Theory]
    [InlineData("env-file = { a = b }", "an object { } is not a file name")]
    [InlineData("env-file = [\"\"]", "\"\" is not a file name")]
    [InlineData("env-file = [[\"a\"]]", "element 1 is a list [ ], which is not a file name")]
    [InlineData("inherit-env = maybe", "\"maybe\" is not on or off")]
    public void Wrong_types_are_errors_naming_the_key(string body, string message)
    {
        var error = Assert.Single(Load(body).Errors);

        Assert.Contains(message, error.Message);
        Assert.StartsWith("actors.processes.web.", error.Path);
    }

    [Fact]
    public void A_changed_file_makes_the_process_changed_for_reload_and_its_next_start_reads_the_new_content()
    {
        var file = _temp.Write("MODE=old\n", ".env");
        var before = Load("env-file = \".env\"").Settings!.Processes[0];
        Assert.True(ProcessSettingsEquality.Instance.Equals(before, Load("env-file = \".env\"").Settings!.Processes[0]));

        File.WriteAllText(file, "MODE=new\n");

        Assert.False(ProcessSettingsEquality.Instance.Equals(before, Load("env-file = \".env\"").Settings!.Processes[0]));
        Assert.Equal("new", EnvOf(LaunchSpecs.From(before))["MODE"]);
    }

    [Fact]
    public void A_file_broken_after_the_check_refuses_the_start_with_its_line()
    {
        var file = _temp.Write("MODE=old\n", ".env");
        var settings = Load("env-file = \".env\"").Settings!.Processes[0];

        File.WriteAllText(file, "MODE=old\nBROKEN\"=1\n");

        Assert.Equal($"env-file {file}:2: expected '=' after BROKEN, found '\"'; write BROKEN=value (quote a value with spaces)", LaunchSpecs.From(settings).Refused);
        File.Delete(file);
        Assert.Equal($"env-file {file}: does not exist; create it, or take it out of env-file", LaunchSpecs.From(settings).Refused);
    }
}
