using System.Text.Json;
using Xunit;

namespace Actors.Integration.Tests;

/// <summary>depends-on with a real node: web waits for its db, and stops before it.</summary>
public sealed class DependencySpec : IDisposable
{
    private readonly ControlledNode _node = new();

    public DependencySpec()
    {
        // web is declared first: without depends-on it would start first and stop last.
        _node.WriteConfig($$"""
                web { {{Dummy()}}, depends-on { db = started } }
                db { {{Dummy()}} }
            """);
    }

    public void Dispose() => _node.Dispose();

    private static string Dummy() => $"command = \"{TestPaths.DotnetHost}\", args = [\"{TestPaths.TestDummy}\", \"hang\"]";

    /// <summary>Where <paramref name="line"/> first appears in the node's output; fails when it never does.</summary>
    private int LineIndex(string line)
    {
        var at = _node.Process!.Output.IndexOf(line, StringComparison.Ordinal);
        Assert.True(at >= 0, $"no '{line}' in the node's output:\n{_node.Process.Output}");
        return at;
    }

    [Fact]
    public void Web_waits_until_db_runs_and_an_operator_stop_of_all_stops_web_first()
    {
        _node.Start();
        var web = _node.AwaitState("web", "running");
        _node.AwaitState("db", "running");
        Assert.Contains(web.GetProperty("trail").EnumerateArray(), t =>
            t.GetProperty("state").GetString() == "waiting" && t.GetProperty("reason").GetString()!.StartsWith("waiting for db to be started"));
        // The node's output is read asynchronously: wait for the last line compared.
        _node.Process!.AwaitLine("web: running", ControlledNode.Patience);
        Assert.True(LineIndex("db: running") < LineIndex("web: starting"), _node.Process.Output);

        var stop = _node.Cli("stop", "--all");
        Assert.True(stop.Code == 0, stop.ToString());
        _node.Process.AwaitLine("db: stopped", ControlledNode.Patience);
        Assert.True(LineIndex("web: stopped") < LineIndex("db: stopping"), _node.Process!.Output);

        // web alone: it waits for db, says so, and for how long.
        var start = _node.Cli("start", "web");
        Assert.True(start.Code == 0, start.ToString());
        Assert.StartsWith("web: waiting: waiting for db to be started: db is stopped (stopped by request", start.Out);
        var waiting = _node.Status("web");
        Assert.Equal("waiting", waiting.GetProperty("state").GetString());
        Assert.Equal(JsonValueKind.Number, waiting.GetProperty("state-for-s").ValueKind);
        Assert.Matches(@"\bweb\s+waiting \d", _node.Cli("status").Out);

        Assert.Equal(0, _node.Cli("start", "db").Code);
        _node.AwaitState("web", "running");
    }

    /// <summary>Shuts the node down; web must be stopped completely before db's stop begins.</summary>
    private void ShutdownStopsWebBeforeDb()
    {
        var shutdown = _node.Cli("shutdown");
        Assert.True(shutdown.Code == 0, shutdown.ToString());
        Assert.Equal(0, _node.Process!.WaitForExit(ControlledNode.Patience));
        _node.Process.AwaitLine("db: stopped", ControlledNode.Patience);
        Assert.True(LineIndex("web: stopped") < LineIndex("db: stopping"), _node.Process.Output);
    }

    [Fact]
    public void Node_shutdown_stops_web_before_db()
    {
        _node.Start();
        _node.AwaitState("web", "running");

        ShutdownStopsWebBeforeDb();
    }

    [Fact]
    public void Web_waits_for_its_dbs_readiness_probe_and_stops_before_it()
    {
        using var held = FreePorts.Hold(); // until the test ends: the dummy binds it (again at each restart)
        var port = held.Port;
        var readyFile = Path.Combine(_node.Dir, "db-ready");
        _node.WriteConfig($$"""
                web { {{Dummy()}}, depends-on { db = ready } }
                db {
                  command = "{{TestPaths.DotnetHost}}", args = ["{{TestPaths.TestDummy}}", "serve-http", "{{port}}", "--ready-file", "{{readyFile}}"]
                  probes.readiness { type = http, url = "http://127.0.0.1:{{port}}/health", period = 200ms, failure-threshold = 1 }
                }
            """);
        _node.Start();
        // db runs but answers 503 (its first check may come before it listens: connection refused): web waits,
        // and says for what.
        var db = _node.AwaitStatus("db", s => s.GetProperty("probes")[0].GetProperty("last-check").GetString() == "HTTP 503", "answered 503");
        Assert.StartsWith("not ready yet: readiness: ", db.GetProperty("reason").GetString());
        Assert.Equal("running", db.GetProperty("state").GetString());
        var web = _node.Status("web");
        Assert.Equal("waiting", web.GetProperty("state").GetString());
        Assert.StartsWith("waiting for db to be ready (db is running", web.GetProperty("reason").GetString());

        File.WriteAllText(readyFile, "");
        _node.AwaitState("db", "ready");
        var running = _node.AwaitState("web", "running");
        Assert.Contains("dependencies met (db ready)", running.GetProperty("trail").EnumerateArray()
            .Single(t => t.GetProperty("state").GetString() == "starting").GetProperty("reason").GetString());

        ShutdownStopsWebBeforeDb();
    }

    [Fact]
    public async Task A_dependency_cycle_makes_check_config_exit_2_naming_the_cycle()
    {
        _node.WriteConfig($$"""
                web { {{Dummy()}}, depends-on { api = ready } }
                api { {{Dummy()}}, depends-on { db = ready } }
                db { {{Dummy()}}, depends-on { web = started } }
            """);
        var (stdout, stderr) = (new StringWriter(), new StringWriter());

        var code = await global::Actors.Node.Cli.RunAsync(["check-config", _node.ConfigPath], stdout, stderr);

        Assert.True(code == 2, $"exit {code}\n{stdout}\n{stderr}");
        Assert.Contains("node.conf:3: actors.processes.web.depends-on.api: is part of the dependency cycle web → api → db → web", stderr.ToString());
    }
}
