using Actors.Configuration;
using Xunit;

namespace Actors.Core.Tests.Configuration;

public sealed class ConfigLoaderSpec : IDisposable
{
    private readonly TempConfig _temp = new();

    public void Dispose() => _temp.Dispose();

    private const string FullFile = """
        akka { loglevel = INFO }   # not ours: ignored
        actors {
          node {
            state-dir = "state"
            log-dir = "logs"
            shutdown-timeout = 45s
          }
          defaults {
            restart = on-failure
            env { SHARED = "yes", LEVEL = 1 }
            backoff.max = 2m
          }
          processes {
            zeta {
              description = "listed first"
              command = "/bin/echo"
              args = ["hello", "world"]
              working-dir = "work"
              env { LEVEL = 2, DEBUG = true }
              restart = always
              success-exit-codes = [0, 3, 255]
              backoff { min = 500ms, random-factor = 0.5, reset-after = 2m }
              start-limit { burst = 3, interval = 30s }
              stop { signal = SIGINT, timeout = 0 }
              log { file = "out/zeta.log", max-size = 10MiB, keep = 0, timestamps = on }
            }
            alpha {
              command = "echo hi && exit 0"
              shell = on
            }
          }
        }
        """;

    [Fact]
    public void Valid_file_loads_every_key_with_defaults_layered_in_declaration_order()
    {
        Directory.CreateDirectory(Path.Combine(_temp.Dir, "work"));
        var result = ConfigLoader.LoadFile(_temp.Write(FullFile));

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var s = result.Settings!;
        Assert.Equal(Path.Combine(_temp.Dir, "node.conf"), s.SourceFile);
        Assert.Equal(new NodeSettings(Path.Combine(_temp.Dir, "state"), Path.Combine(_temp.Dir, "logs"), TimeSpan.FromSeconds(45)), s.Node);
        Assert.Equal(["zeta", "alpha"], s.Processes.Select(p => p.Name));

        var zeta = s.Processes[0];
        Assert.Equal("listed first", zeta.Description);
        Assert.Equal("/bin/echo", zeta.Command);
        Assert.Equal(["hello", "world"], zeta.Args);
        Assert.False(zeta.Shell);
        Assert.Equal(Path.Combine(_temp.Dir, "work"), zeta.WorkingDir);
        Assert.Equal(new Dictionary<string, string> { ["SHARED"] = "yes", ["LEVEL"] = "2", ["DEBUG"] = "true" }, zeta.Env);
        Assert.Equal(RestartPolicy.Always, zeta.Restart);
        Assert.True(zeta.IsSuccess(0) && zeta.IsSuccess(3) && zeta.IsSuccess(255) && !zeta.IsSuccess(1));
        Assert.Equal(new BackoffSettings(TimeSpan.FromMilliseconds(500), TimeSpan.FromMinutes(2), 0.5, TimeSpan.FromMinutes(2)), zeta.Backoff);
        Assert.Equal(new StartLimitSettings(3, TimeSpan.FromSeconds(30)), zeta.StartLimit);
        Assert.Equal(new StopSettings(2, "INT", TimeSpan.Zero), zeta.Stop);
        Assert.Equal(new LogSettings(Path.Combine(_temp.Dir, "out", "zeta.log"), 10 * 1024 * 1024, 0, true), zeta.Log);

        var alpha = s.Processes[1];
        Assert.Null(alpha.Description);
        Assert.Equal(RestartPolicy.OnFailure, alpha.Restart);
        Assert.Equal(new BackoffSettings(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(2), 0.2, TimeSpan.FromSeconds(60)), alpha.Backoff);
        Assert.Equal(new StartLimitSettings(10, TimeSpan.FromMinutes(10)), alpha.StartLimit);
        Assert.Equal(new StopSettings(15, "TERM", TimeSpan.FromSeconds(10)), alpha.Stop);
        Assert.Equal(new LogSettings(Path.Combine(_temp.Dir, "logs", "alpha.log"), 50_000_000, 10, false), alpha.Log);
        Assert.Equal(_temp.Dir, alpha.WorkingDir);
        Assert.Equal(new Dictionary<string, string> { ["SHARED"] = "yes", ["LEVEL"] = "1" }, alpha.Env);
    }

    [Fact]
    public void Shell_on_runs_the_whole_line_through_bin_sh()
    {
        var result = ConfigLoader.LoadText("actors.processes.a { shell = on, command = \"echo hi | tr a-z A-Z\" }", null, _temp.Dir);

        var a = Assert.Single(result.Settings!.Processes);
        Assert.True(a.Shell);
        Assert.Equal("/bin/sh", a.Command);
        Assert.Equal(["-c", "echo hi | tr a-z A-Z"], a.Args);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void Relative_paths_resolve_against_the_config_folder_and_tilde_means_home()
    {
        var sub = Path.Combine(_temp.Dir, "conf");
        Directory.CreateDirectory(Path.Combine(sub, "bin"));
        File.WriteAllText(Path.Combine(sub, "bin", "tool"), "#!/bin/sh\n");
        File.SetUnixFileMode(Path.Combine(sub, "bin", "tool"), UnixFileMode.UserRead | UnixFileMode.UserExecute);
        var path = _temp.Write("""
            actors {
              node { state-dir = "../state", log-dir = "~/actors-logs" }
              processes {
                tool { command = "bin/tool", working-dir = "bin" }
                bare { command = "sh" }
              }
            }
            """, "conf/node.conf");

        var result = ConfigLoader.LoadFile(path);

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Empty(result.Warnings);
        var s = result.Settings!;
        Assert.Equal(Path.Combine(_temp.Dir, "state"), s.Node.StateDir);
        Assert.Equal(Path.Combine(Environment.GetEnvironmentVariable("HOME")!, "actors-logs"), s.Node.LogDir);
        Assert.Equal(Path.Combine(sub, "bin", "tool"), s.Processes[0].Command);
        Assert.Equal(Path.Combine(sub, "bin"), s.Processes[0].WorkingDir);
        Assert.Equal("sh", s.Processes[1].Command);
    }

    [Fact]
    public void Missing_file_is_one_error_naming_the_path()
    {
        var missing = Path.Combine(_temp.Dir, "nope.conf");

        var result = ConfigLoader.LoadFile(missing);

        Assert.False(result.IsValid);
        Assert.Null(result.Settings);
        var error = Assert.Single(result.Errors);
        Assert.Equal(missing, error.File);
        Assert.Contains("cannot read", error.ToString());
        Assert.StartsWith(missing + ": ", error.ToString());
    }

    [Fact]
    public void Embedded_text_names_its_problems_embedded()
    {
        var result = ConfigLoader.LoadText("actors.processes.a { command = x, restart = maybe }", null, _temp.Dir);

        Assert.Equal("<embedded>:1: actors.processes.a.restart: \"maybe\" is not allowed; use always, on-failure or never",
            Assert.Single(result.Errors).ToString());
    }

    [Fact]
    public void Empty_processes_is_valid_with_a_warning()
    {
        var result = ConfigLoader.LoadText("actors { processes { } }", null, _temp.Dir);

        Assert.True(result.IsValid);
        Assert.Empty(result.Settings!.Processes);
        Assert.Contains(result.Warnings, w => w.Path == "actors.processes" && w.Message.Contains("no process"));
    }

    [Fact]
    public void A_file_without_an_actors_block_is_an_error_with_a_hint()
    {
        var result = ConfigLoader.LoadText("actor { processes { a { command = x } } }", null, _temp.Dir);

        Assert.Contains("did you mean to write actors instead of actor?", Assert.Single(result.Errors).Message);
    }

    [Fact]
    public void Settings_outside_actors_are_ignored()
    {
        var result = ConfigLoader.LoadText("akka.loglevel = DEBUG\nsomething-else { x = 1 }\nactors.processes.a.command = sh", null, _temp.Dir);

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
    }

    [Fact]
    public void File_system_problems_are_warnings_not_errors()
    {
        File.WriteAllText(Path.Combine(_temp.Dir, "not-exec"), "data");
        var result = ConfigLoader.LoadFile(_temp.Write("""
            actors.processes {
              a { command = "./missing-tool" }
              b { command = "./not-exec" }
              c { command = "no-such-command-anywhere-xyz" }
              d { command = sh, working-dir = "nowhere" }
            }
            """));

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Collection(result.Warnings,
            w => Assert.Equal(("actors.processes.a.command", 2, true), (w.Path, w.Line, w.Message.Contains("does not exist"))),
            w => Assert.Equal(("actors.processes.b.command", 3, true), (w.Path, w.Line, w.Message.Contains("not executable"))),
            w => Assert.Equal(("actors.processes.c.command", 4, true), (w.Path, w.Line, w.Message.Contains("PATH"))),
            w => Assert.Equal(("actors.processes.d.working-dir", 5, true), (w.Path, w.Line, w.Message.Contains("does not exist"))));
    }

    [Fact]
    public void Embedded_demo_is_valid()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Actors.sln")))
            dir = dir.Parent;
        Assert.NotNull(dir);

        var result = ConfigLoader.LoadFile(Path.Combine(dir.FullName, "hocon", "demo.conf"));

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Empty(result.Warnings);
        Assert.Equal(["ticker", "crasher", "family", "fetch", "worker"], result.Settings!.Processes.Select(p => p.Name));
        Assert.All(result.Settings.Processes, p => Assert.Equal("/bin/sh", p.Command));
        Assert.Equal(["-c", "while true; do echo \"tick $(date +%T)\"; sleep 1; done"], result.Settings.Processes[0].Args);
    }

    [Fact]
    public void Reference_documents_every_key_and_loads_as_a_user_file()
    {
        var result = ConfigLoader.LoadText(ReferenceConfig.Text + "\nactors.processes.a.command = sh", null, _temp.Dir);

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
    }
}
