using Actors.Configuration;
using Xunit;

namespace Actors.Core.Tests.Configuration;

public sealed class ValidationSpec : IDisposable
{
    private readonly TempConfig _temp = new();

    public void Dispose() => _temp.Dispose();

    private ConfigLoadResult LoadProcess(string body) =>
        ConfigLoader.LoadText($"actors.processes.web {{\n  command = sh\n  {body}\n}}", null, _temp.Dir);

    [Fact]
    public void Each_process_needs_a_log_file_of_its_own_and_none_may_take_the_nodes_log()
    {
        var result = ConfigLoader.LoadText("""
            actors.processes {
              node { command = sh }
              a { command = sh, log.file = "shared.log" }
              b { command = sh, log.file = "shared.log" }
              c { command = sh, log.file = "/dev/null" }
              d { command = sh, log.file = "/dev/null" }
            }
            """, "f.conf", _temp.Dir);

        Assert.Equal(2, result.Errors.Count);
        Assert.StartsWith("f.conf:2: actors.processes.node.log.file:", result.Errors[0].ToString());
        Assert.Contains("is already the node's own log", result.Errors[0].Message);
        Assert.StartsWith("f.conf:4: actors.processes.b.log.file:", result.Errors[1].ToString());
        Assert.Contains("is already the log of a", result.Errors[1].Message);
    }

    [Fact]
    public void A_duration_or_size_written_in_other_digits_is_an_error_naming_the_key_not_a_crash()
    {
        // Arabic-Indic digits: \d took them, and double.Parse then threw (an unhandled exception with its stack trace).
        var result = LoadProcess("stop { timeout = \"١٢s\" }\n  log.max-size = \"١MB\"");

        Assert.Equal(2, result.Errors.Count);
        Assert.Contains(result.Errors, e => e.ToString().Contains("actors.processes.web.stop.timeout: \"١٢s\" is not a duration; use e.g. 500ms, 1s, 2m"));
        Assert.Contains(result.Errors, e => e.ToString().Contains("actors.processes.web.log.max-size: \"١MB\" is not a size"));
    }

    [Fact]
    public void Check_reports_every_problem_at_once_with_file_line_and_key()
    {
        var path = _temp.Write("""
            actors {
              node { shutdown-timeout = 0s }
              processes {
                web {
                  command = sh
                  restart = sometimes
                  backoff {
                    min = abc
                    random-factor = 2
                  }
                  stop.signal = NOPE
                  restrat = never
                }
                "bad name!" { command = sh }
              }
            }
            """);

        var result = ConfigLoader.LoadFile(path);

        Assert.False(result.IsValid);
        Assert.Null(result.Settings);
        Assert.Equal(
        [
            $"{path}:12: actors.processes.web.restrat: unknown key; did you mean restart?",
            $"{path}:2: actors.node.shutdown-timeout: 0s is out of range; use a duration above 0, e.g. 30s",
            $"{path}:6: actors.processes.web.restart: \"sometimes\" is not allowed; use always, on-failure or never",
            $"{path}:8: actors.processes.web.backoff.min: \"abc\" is not a duration; use e.g. 500ms, 1s, 2m",
            $"{path}:9: actors.processes.web.backoff.random-factor: 2 is out of range; use a number from 0 to 1 (0.2 = ±20%)",
            $"{path}:11: actors.processes.web.stop.signal: \"NOPE\" is not a signal; use a name such as TERM, INT, HUP, QUIT, KILL, USR1, USR2, WINCH (SIG prefix optional) or a number 1..64",
            $"{path}:14: actors.processes.bad name!: is not a valid process name; use letters, digits, '-', '_' and '.'",
        ], result.Errors.Select(e => e.ToString()));
    }

    [Theory]
    [InlineData("backoff.min = -1s", "backoff.min", "is negative")]
    [InlineData("backoff { min = 10s, max = 5s }", "backoff.max", "backoff.max (5s) must be at least backoff.min (10s)")]
    [InlineData("backoff.min = 2m", "backoff.min", "backoff.max (1m) must be at least backoff.min (2m)")]
    [InlineData("backoff.random-factor = -0.1", "backoff.random-factor", "use a number from 0 to 1")]
    [InlineData("backoff.random-factor = lots", "backoff.random-factor", "\"lots\" is not a number")]
    [InlineData("backoff.reset-after = 10", "backoff.reset-after", "\"10\" is not a duration")]
    [InlineData("start-limit.burst = 0", "start-limit.burst", "use 1 or more")]
    [InlineData("start-limit.burst = 1.5", "start-limit.burst", "is not a whole number")]
    [InlineData("start-limit.interval = 0s", "start-limit.interval", "use a duration above 0")]
    [InlineData("stop.timeout = -5s", "stop.timeout", "is negative")]
    [InlineData("stop.signal = 65", "stop.signal", "is not a signal")]
    [InlineData("log.keep = -1", "log.keep", "use 0 (keep no rotated files) or more")]
    [InlineData("log.max-size = 0", "log.max-size", "use a size above 0")]
    [InlineData("log.max-size = 5 parsecs", "log.max-size", "\"5 parsecs\" is not a size; use e.g. 50MB")]
    [InlineData("log.timestamps = maybe", "log.timestamps", "is not on or off")]
    [InlineData("shell = 2", "shell", "\"2\" is not on or off")]
    [InlineData("success-exit-codes = [0, 256]", "success-exit-codes", "element 2 is \"256\", which is not an exit code 0..255")]
    [InlineData("success-exit-codes = [x]", "success-exit-codes", "element 1 is \"x\"")]
    [InlineData("success-exit-codes = 3", "success-exit-codes", "is not a list")]
    [InlineData("args = \"-v\"", "args", "is not a list")]
    [InlineData("env { A = [1, 2] }", "env.A", "a list [ ] is not allowed; env values are strings, numbers or booleans")]
    [InlineData("env = 5", "env", "is not an object")]
    [InlineData("command = \"\"", "command", "is required and must not be empty")]
    [InlineData("shell = on\n args = [\"x\"]", "args", "must be empty when shell = on")]
    [InlineData("backoff = 5s", "backoff", "\"5s\" is not an object; write backoff { ... }")]
    [InlineData("command { path = x }", "command", "an object { } is not a string")]
    public void Each_wrong_value_is_reported_at_its_key_with_what_is_allowed(string body, string key, string message)
    {
        var result = LoadProcess(body);

        Assert.False(result.IsValid);
        Assert.Contains(result.Errors, e => e.Path == $"actors.processes.web.{key}" && e.Message.Contains(message));
    }

    [Theory]
    [InlineData("a { command = sh, args = [] }")]
    [InlineData("a { command = sh, args = [ ] }")]
    [InlineData("a { command = sh, args = []\n }")]
    [InlineData("a { command = sh, success-exit-codes = [], args = [] }")]
    public void An_empty_list_is_an_empty_list_however_it_is_spaced(string process)
    {
        // `[] }` on one line once read as "" (the blank before the brace taken as a second part of the value).
        var result = ConfigLoader.LoadText($"actors.processes {{\n  {process}\n}}", null, _temp.Dir);

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Empty(result.Settings!.Processes.Single().Args);
    }

    [Fact]
    public void A_process_without_a_command_points_at_the_process_line()
    {
        var result = ConfigLoader.LoadText("actors {\n  processes {\n    web {\n      args = [\"x\"]\n    }\n  }\n}", null, _temp.Dir);

        var error = Assert.Single(result.Errors);
        Assert.Equal(("actors.processes.web.command", 3), (error.Path, error.Line));
    }

    [Fact]
    public void A_process_that_is_not_an_object_is_an_error()
    {
        var result = ConfigLoader.LoadText("actors.processes.web = \"/bin/true\"", null, _temp.Dir);

        Assert.Contains("is not a process; write web { command = ... }", Assert.Single(result.Errors).Message);
    }

    [Fact]
    public void A_bad_value_in_defaults_is_reported_once_at_the_defaults_key()
    {
        var result = ConfigLoader.LoadText("""
            actors {
              defaults { stop.timeout = forever }
              processes { a.command = sh, b.command = sh }
            }
            """, null, _temp.Dir);

        var error = Assert.Single(result.Errors);
        Assert.Equal(("actors.defaults.stop.timeout", 2), (error.Path, error.Line));
    }

    [Theory]
    [InlineData("actors.processes.web { command = sh, restrat = never }", "actors.processes.web.restrat", "did you mean restart?")]
    [InlineData("actors.processes.web { command = sh, backoff.mni = 1s }", "actors.processes.web.backoff.mni", "did you mean min?")]
    [InlineData("actors.processes.web { command = sh, stop { sginal = TERM } }", "actors.processes.web.stop.sginal", "did you mean signal?")]
    [InlineData("actors.node.log-dri = x", "actors.node.log-dri", "did you mean log-dir?")]
    [InlineData("actors.default.restart = never", "actors.default", "did you mean defaults?")]
    [InlineData("actors.defaults.Restart = never", "actors.defaults.Restart", "did you mean restart?")]
    [InlineData("actors.processes.web { command = sh, colour = red }", "actors.processes.web.colour", "known keys here: description, command")]
    public void Unknown_keys_are_errors_that_suggest_the_close_known_key(string text, string path, string message)
    {
        var result = ConfigLoader.LoadText(text, null, _temp.Dir);

        var error = Assert.Single(result.Errors);
        Assert.Equal(path, error.Path);
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void Env_keys_are_free_form_and_values_are_stringified()
    {
        var result = LoadProcess("env { MY_VAR = 1.5, FLAG = on, TEXT = \"a b\" }");

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Equal(new Dictionary<string, string> { ["MY_VAR"] = "1.5", ["FLAG"] = "on", ["TEXT"] = "a b" }, result.Settings!.Processes[0].Env);
    }

    [Theory]
    [InlineData("TERM", 15, "TERM")]
    [InlineData("sigterm", 15, "TERM")]
    [InlineData("SIGKILL", 9, "KILL")]
    [InlineData("hup", 1, "HUP")]
    [InlineData("QUIT", 3, "QUIT")]
    [InlineData("USR1", 10, "USR1")]
    [InlineData("USR2", 12, "USR2")]
    [InlineData("WINCH", 28, "WINCH")]
    [InlineData("2", 2, "INT")]
    [InlineData("15", 15, "TERM")]
    [InlineData("34", 34, "RTMIN")]
    [InlineData("64", 64, "RTMAX")]
    public void Stop_signal_accepts_names_in_any_case_and_numbers(string text, int number, string name)
    {
        var result = LoadProcess($"stop.signal = {text}");

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Equal((number, name), (result.Settings!.Processes[0].Stop.Signal, result.Settings.Processes[0].Stop.SignalName));
    }

    [Theory]
    [InlineData("50MB", 50_000_000)]
    [InlineData("10MiB", 10_485_760)]
    [InlineData("512k", 524_288)]
    [InlineData("1kB", 1000)]
    [InlineData("4096", 4096)]
    [InlineData("1.5 GiB", 1_610_612_736)]
    public void Log_max_size_accepts_units_and_plain_bytes(string text, long bytes)
    {
        var result = LoadProcess($"log.max-size = {text}");

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Equal(bytes, result.Settings!.Processes[0].Log.MaxSize);
    }

    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("1.5s", 1500)]
    [InlineData("2m", 120_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("3 seconds", 3000)]
    [InlineData("0", 0)]
    public void Durations_need_a_unit_except_zero(string text, double milliseconds)
    {
        var result = LoadProcess($"stop.timeout = {text}");

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), result.Settings!.Processes[0].Stop.Timeout);
    }
}
