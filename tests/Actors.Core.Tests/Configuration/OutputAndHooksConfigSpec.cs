using Actors.Configuration;
using Xunit;

namespace Actors.Core.Tests.Configuration;

/// <summary>Issue 15's keys about output and the commands around a run: ready-log-line, log.truncate-on-start, log.stderr, hooks.</summary>
public sealed class OutputAndHooksConfigSpec : IDisposable
{
    private readonly TempConfig _temp = new();

    public void Dispose() => _temp.Dispose();

    private ConfigLoadResult Load(string process, string more = "") =>
        ConfigLoader.LoadText($"actors.processes {{\n p {{ {process} }}\n{more}}}", "f.conf", _temp.Dir);

    private ProcessSettings Process(string process)
    {
        var result = Load(process);
        Assert.True(result.Settings is not null, string.Join("\n", result.Errors));
        return result.Settings!.Processes[0];
    }

    private static string Only(ConfigLoadResult result) => Assert.Single(result.Errors).ToString();

    // ---- ready-log-line ----

    [Fact]
    public void Ready_log_line_is_off_by_default_and_a_pattern_makes_it_a_readiness_check()
    {
        var plain = Process("command = sh");
        Assert.Null(plain.ReadyLogLine);
        Assert.False(plain.HasReadinessCheck);
        var watched = Process("command = sh, ready-log-line = \"listening on :[0-9]+\"");
        Assert.Equal("listening on :[0-9]+", watched.ReadyLogLine!.Pattern);
        Assert.True(watched.HasReadinessCheck);
        Assert.Matches(watched.ReadyLogLine.Regex, "2026 INFO listening on :8080");
        Assert.DoesNotMatch(watched.ReadyLogLine.Regex, "listening on :http");
    }

    [Fact]
    public void Ready_log_line_is_compiled_for_linear_time_matching()
    {
        Assert.True(Process("command = sh, ready-log-line = \"(a+)+$\"").ReadyLogLine!.Regex.Options.HasFlag(System.Text.RegularExpressions.RegexOptions.NonBacktracking));
    }

    [Fact]
    public void An_invalid_ready_log_line_is_an_error_naming_the_key_line_and_value()
    {
        var error = Only(Load("command = sh\n ready-log-line = \"listening (on\""));
        Assert.Contains("f.conf:3", error);
        Assert.Contains("actors.processes.p.ready-log-line", error);
        Assert.Contains("\"listening (on\" is not a regular expression", error);
    }

    [Fact]
    public void A_ready_log_line_with_a_backreference_is_refused_with_what_to_do()
    {
        var error = Only(Load("command = sh, ready-log-line = \"(ab)\\\\1\""));
        Assert.Contains("actors.processes.p.ready-log-line", error);
        Assert.Contains("linear-time matching", error);
        Assert.Contains("without backreferences", error);
    }

    [Fact]
    public void Ready_log_line_with_a_readiness_probe_or_notify_is_an_error_one_source_decides()
    {
        var probe = Only(Load("command = sh, ready-log-line = \"up\", probes.readiness { type = tcp, port = 80 }"));
        Assert.Contains("actors.processes.p.ready-log-line", probe);
        Assert.Contains("cannot be combined with a readiness probe", probe);
        var notify = Only(Load("command = sh, ready-log-line = \"up\", readiness = notify"));
        Assert.Contains("cannot be combined with readiness = notify", notify);
    }

    [Fact]
    public void Ready_log_line_set_in_defaults_applies_to_every_process()
    {
        var result = ConfigLoader.LoadText("actors { defaults.ready-log-line = \"ready\", processes { a.command = sh, b.command = sh } }", "f.conf", _temp.Dir);
        Assert.All(result.Settings!.Processes, p => Assert.Equal("ready", p.ReadyLogLine!.Pattern));
    }

    [Fact]
    public void A_changed_ready_log_line_is_a_change_for_reload_and_the_same_one_is_not()
    {
        var a = Process("command = sh, ready-log-line = \"up\"");
        var same = Process("command = sh, ready-log-line = \"up\"");
        var other = Process("command = sh, ready-log-line = \"ready\"");
        Assert.True(ProcessSettingsEquality.Instance.Equals(a, same));
        Assert.False(ProcessSettingsEquality.Instance.Equals(a, other));
    }

    // ---- log.truncate-on-start, log.stderr ----

    [Fact]
    public void Log_output_is_merged_and_appended_by_default()
    {
        var log = Process("command = sh").Log;
        Assert.False(log.TruncateOnStart);
        Assert.Null(log.ErrorFile);
    }

    [Fact]
    public void Stderr_separate_writes_NAME_err_log_beside_the_log()
    {
        var log = Process("command = sh, log { stderr = separate, truncate-on-start = on }").Log;
        Assert.True(log.TruncateOnStart);
        Assert.Equal(Path.Combine(Path.GetDirectoryName(log.File)!, "p.err.log"), log.ErrorFile);
        var custom = Process("command = sh, log { file = \"out/web.txt\", stderr = separate }").Log;
        Assert.Equal(Path.Combine(_temp.Dir, "out", "web.txt.err"), custom.ErrorFile);
    }

    [Fact]
    public void An_unknown_stderr_mode_is_an_error_that_lists_merged_and_separate()
    {
        var error = Only(Load("command = sh, log.stderr = apart"));
        Assert.Contains("actors.processes.p.log.stderr", error);
        Assert.Contains("\"apart\" is not a stderr mode", error);
        Assert.Contains("use merged", error);
        Assert.Contains("or separate", error);
    }

    [Fact]
    public void Truncate_on_start_must_be_a_boolean()
    {
        var error = Only(Load("command = sh, log.truncate-on-start = sometimes"));
        Assert.Contains("actors.processes.p.log.truncate-on-start", error);
        Assert.Contains("on or off", error);
    }

    [Fact]
    public void A_stderr_file_that_is_another_process_s_log_is_an_error()
    {
        var result = ConfigLoader.LoadText("""
            actors.processes {
              a { command = sh, log { stderr = separate } }
              b { command = sh, log { file = ".actors/logs/a.err.log" } }
            }
            """, "f.conf", _temp.Dir);
        var error = Assert.Single(result.Errors).ToString();
        Assert.Contains("actors.processes.b.log.file", error);
        Assert.Contains("is already the stderr log of a", error);
    }

    [Fact]
    public void A_change_of_log_options_is_a_change_for_reload()
    {
        var a = Process("command = sh");
        Assert.False(ProcessSettingsEquality.Instance.Equals(a, Process("command = sh, log.stderr = separate")));
        Assert.False(ProcessSettingsEquality.Instance.Equals(a, Process("command = sh, log.truncate-on-start = on")));
    }

    // ---- hooks ----

    [Fact]
    public void Hooks_are_off_by_default()
    {
        Assert.Equal(HooksSettings.None, Process("command = sh").Hooks);
    }

    [Fact]
    public void Hooks_take_a_command_its_args_and_a_timeout_and_no_shell()
    {
        var hooks = Process("""
            command = sh
            hooks {
              pre-start { command = "/bin/sh", args = ["-c", "mkdir -p /tmp/x"], timeout = 5s }
              post-stop { command = "true" }
            }
            """).Hooks;
        Assert.Equal(new HookSettings("pre-start", "/bin/sh", ["-c", "mkdir -p /tmp/x"], TimeSpan.FromSeconds(5)), hooks.PreStart);
        Assert.Equal(new HookSettings("post-stop", "true", [], TimeSpan.FromSeconds(30)), hooks.PostStop);
    }

    [Fact]
    public void A_hook_command_not_on_PATH_or_not_executable_is_an_error_naming_the_key()
    {
        var missing = Only(Load("command = sh, hooks.pre-start.command = \"no-such-tool-xyz\""));
        Assert.Contains("actors.processes.p.hooks.pre-start.command", missing);
        Assert.Contains("\"no-such-tool-xyz\" is not found on PATH", missing);
        File.WriteAllText(Path.Combine(_temp.Dir, "cleanup.sh"), "#!/bin/sh\n");
        var notExecutable = Only(Load("command = sh, hooks.post-stop.command = \"./cleanup.sh\""));
        Assert.Contains("actors.processes.p.hooks.post-stop.command", notExecutable);
        Assert.Contains($"{Path.Combine(_temp.Dir, "cleanup.sh")} is not executable", notExecutable);
        Assert.Contains("chmod +x", notExecutable);
    }

    [Fact]
    public void A_hook_timeout_must_be_above_zero()
    {
        var error = Only(Load("command = sh, hooks.post-stop { command = \"true\", timeout = 0s }"));
        Assert.Contains("actors.processes.p.hooks.post-stop.timeout", error);
        Assert.Contains("use a duration above 0", error);
    }

    [Fact]
    public void Hook_args_without_a_command_is_an_error()
    {
        var error = Only(Load("command = sh, hooks.pre-start.args = [\"-x\"]"));
        Assert.Contains("actors.processes.p.hooks.pre-start.command", error);
        Assert.Contains("is required when hooks.pre-start.args is set", error);
    }

    [Fact]
    public void An_unknown_hook_is_an_unknown_key()
    {
        var error = Only(Load("command = sh, hooks.post-start.command = \"true\""));
        Assert.Contains("actors.processes.p.hooks.post-start", error);
        Assert.Contains("unknown key", error);
    }

    [Fact]
    public void A_hook_written_as_a_string_is_an_error_that_says_to_write_a_block()
    {
        var error = Only(Load("command = sh, hooks.pre-start = \"/bin/true\""));
        Assert.Contains("actors.processes.p.hooks.pre-start", error);
        Assert.Contains("is not an object; write pre-start { ... }", error);
    }

    [Fact]
    public void A_ready_log_line_that_is_a_list_is_an_error()
    {
        var error = Only(Load("command = sh, ready-log-line = [\"up\"]"));
        Assert.Contains("actors.processes.p.ready-log-line", error);
        Assert.Contains("a list [ ] is not a string", error);
    }

    [Fact]
    public void A_changed_hook_is_a_change_for_reload()
    {
        var a = Process("command = sh, hooks.post-stop.command = \"true\"");
        Assert.True(ProcessSettingsEquality.Instance.Equals(a, Process("command = sh, hooks.post-stop.command = \"true\"")));
        Assert.False(ProcessSettingsEquality.Instance.Equals(a, Process("command = sh, hooks.post-stop { command = \"true\", args = [\"x\"] }")));
    }
}
