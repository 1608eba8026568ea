using Actors.Configuration;
using Actors.Supervision;
using Actors.TestLeases;
using Xunit;

namespace Actors.Hosting.Tests;

/// <summary>lease.class from an embedding application: the typed option, and a process that runs under such a lease.</summary>
public sealed class ClassLeaseHostingSpec : IDisposable
{
    private static readonly string Memory = typeof(MemoryLease).AssemblyQualifiedName!;
    private readonly string _dir = Directory.CreateTempSubdirectory("actors-typed-lease-").FullName;
    private readonly string _name = "hosted-" + Guid.NewGuid().ToString("N")[..12];

    public void Dispose()
    {
        MemoryLease.Free(_name);
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public void The_typed_lease_class_assembly_settings_and_dead_man_are_the_same_as_the_keys_in_hocon()
    {
        var options = new ProcessSupervisionOptions { BaseDirectory = _dir };
        var p = options.AddProcess("worker", "/bin/sleep", "600");
        p.Lease = new LeaseOptions
        {
            Name = "batch", Class = Memory, DeadMan = false,
            Settings = new Dictionary<string, string> { ["greeting"] = "hi", ["namespace"] = "prod" },
        };
        var typed = SupervisionConfig.Read("", options).Processes.Single();
        var written = SupervisionConfig.Read($$"""
            actors.processes.worker {
              command = "/bin/sleep", args = ["600"]
              lease { name = batch, class = "{{Memory}}", dead-man = off, settings { namespace = prod, greeting = hi } }
            }
            """, new ProcessSupervisionOptions { BaseDirectory = _dir }).Processes.Single();

        Assert.True(ProcessSettingsEquality.Instance.Equals(written, typed), "the typed lease reads differently from the HOCON one");
        Assert.Equal((Memory, false), (typed.Lease!.Class, typed.Lease.DeadMan));
    }

    [Fact]
    public async Task A_process_declared_in_code_with_a_lease_class_runs_once_the_application_holds_that_lease()
    {
        MemoryLease.TakeBy(_name, "another-app");
        await using var host = await SupervisedHost.StartAsync("", o =>
        {
            var p = o.AddProcess("leased", "/bin/sleep", "600");
            p.Lease = new LeaseOptions { Name = _name, Class = Memory, HeartbeatInterval = TimeSpan.FromMilliseconds(200), Ttl = TimeSpan.FromSeconds(4) };
        });
        var waiting = await Waits.StatusAsync(host.Client, "leased", s => s.State == ProcessState.Waiting);
        Assert.Null(waiting.Pid);

        MemoryLease.Free(_name);

        var running = await Waits.StatusAsync(host.Client, "leased", s => s.State == ProcessState.Running);
        Assert.NotNull(running.Pid);
        Assert.NotEqual("another-app", MemoryLease.HolderOf(_name));
        Assert.NotNull(MemoryLease.HolderOf(_name));
    }
}
