using Actors.Configuration;
using Actors.Supervision;
using Xunit;

namespace Actors.Integration.Tests;

/// <summary>Log files that cannot be written as they should: what the process's status says, and what is never done.</summary>
public class LogFileSafetySpec : IntegrationSpec
{
    [Fact]
    public void A_symlink_planted_at_the_log_path_is_not_followed_and_that_process_fails_saying_why()
    {
        var target = Path.Combine(Dir, "precious");
        File.WriteAllText(target, "untouched\n");
        var path = Path.Combine(Dir, "linked.log");
        File.CreateSymbolicLink(path, target);

        var linked = Supervise(Dummy("linked", "print", "10"));
        var healthy = Supervise(Dummy("healthy", "hang"));

        var failed = AwaitState(linked, ProcessState.Failed);
        Assert.Contains(path, failed.Reason);
        Assert.Contains("symbolic link", failed.Reason);
        Assert.Equal("untouched\n", File.ReadAllText(target));
        AwaitState(healthy, ProcessState.Running);
    }

    [Fact]
    public void A_log_that_cannot_be_reopened_after_rotation_is_shown_in_status_and_writing_resumes_once_it_can()
    {
        var path = Path.Combine(Dir, "chatty.log");
        var settings = Process("chatty", "/bin/sh", ["-c", "while true; do echo 0123456789012345678901234567890123456789; sleep 0.02; done"]) with
        {
            Log = new LogSettings(path, 1024, 1, false),
        };
        var chatty = Supervise(settings);
        AwaitLog("chatty", l => l.Length > 0, "first output");

        // Someone moves the log away and leaves a folder at its path: the next rotation can not open it.
        PlantFolder(path);
        var broken = AwaitStatus(chatty, s => s.LogError is not null, "a log error");
        Assert.Contains(path, broken.LogError);
        Assert.Equal(ProcessState.Running, broken.State);

        Directory.Delete(path);
        AwaitStatus(chatty, s => s.LogError is null, "the log error cleared");
        AwaitCondition(() => File.Exists(path) && File.ReadAllText(path).Contains("0123456789\n"), Patience);
    }

    /// <summary>Moves the file at <paramref name="path"/> away and makes a folder there, even if a rotation interferes.</summary>
    private void PlantFolder(string path)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                if (File.Exists(path)) File.Move(path, Path.Combine(Dir, $"moved-{attempt}.log"));
                Directory.CreateDirectory(path);
                return;
            }
            catch (IOException) when (attempt < 100)
            {
                // The writer rotated in between and made a new file at the path: move that one too.
            }
        }
    }
}
