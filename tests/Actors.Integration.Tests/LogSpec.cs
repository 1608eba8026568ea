using Actors.Configuration;
using Actors.Supervision;
using Xunit;

namespace Actors.Integration.Tests;

public class LogSpec : IntegrationSpec
{
    [Fact]
    public void Hundred_thousand_lines_written_one_write_each_are_all_in_the_log_in_order()
    {
        const int count = 100_000;
        var supervisor = Supervise(Dummy("printer", "print", count.ToString()) with { Restart = RestartPolicy.Never });
        AwaitState(supervisor, ProcessState.Completed);
        var lines = File.ReadAllLines(Path.Combine(Dir, "printer.log"));
        Assert.Equal(count, lines.Length);
        for (int i = 0; i < count; i++)
            if (lines[i] != $"line {i + 1}") Assert.Fail($"line {i + 1} is '{lines[i]}'");
    }

    [Fact]
    public void Stdout_and_stderr_are_merged_in_the_order_they_were_written()
    {
        var supervisor = Supervise(Dummy("both", "print-both", "2000") with { Restart = RestartPolicy.Never });
        AwaitState(supervisor, ProcessState.Completed);
        var lines = File.ReadAllLines(Path.Combine(Dir, "both.log"));
        Assert.Equal(2000, lines.Length);
        for (int i = 0; i < lines.Length; i++)
            Assert.Equal(i % 2 == 0 ? $"out {i + 1}" : $"err {i + 1}", lines[i]);
    }

    [Fact]
    public void A_child_inherits_stdin_stdout_and_stderr_and_no_other_descriptor_of_the_node()
    {
        // ls opens one descriptor of its own (3) to read the folder.
        var supervisor = Supervise(Process("fds", "/bin/ls", ["/proc/self/fd"]) with { Restart = RestartPolicy.Never });
        AwaitState(supervisor, ProcessState.Completed);
        Assert.Equal(["0", "1", "2", "3"], File.ReadAllLines(Path.Combine(Dir, "fds.log")));
    }

    [Fact]
    public void Logs_rotate_at_max_size_on_line_boundaries_and_keep_the_newest_files()
    {
        const int count = 30_000;
        var settings = Dummy("rotor", "print", count.ToString()) with
        {
            Restart = RestartPolicy.Never,
            Log = new LogSettings(Path.Combine(Dir, "rotor.log"), 64 * 1024, 3, false),
        };
        var supervisor = Supervise(settings);
        AwaitState(supervisor, ProcessState.Completed);

        var files = new[] { "rotor.log.3", "rotor.log.2", "rotor.log.1", "rotor.log" }.Select(f => Path.Combine(Dir, f)).ToList();
        Assert.All(files, f => Assert.True(File.Exists(f), $"{f} missing"));
        Assert.False(File.Exists(Path.Combine(Dir, "rotor.log.4")));
        // Oldest to newest, the kept files hold one unbroken run of lines that ends with the last one.
        var lines = files.SelectMany(File.ReadAllLines).ToList();
        int first = int.Parse(lines[0]["line ".Length..]);
        for (int i = 0; i < lines.Count; i++) Assert.Equal($"line {first + i}", lines[i]);
        Assert.Equal(count, first + lines.Count - 1);
        Assert.All(files.Take(3), f => Assert.InRange(new FileInfo(f).Length, 60 * 1024, 64 * 1024 + 64));
    }
}
