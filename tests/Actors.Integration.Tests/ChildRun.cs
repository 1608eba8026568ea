using System.Diagnostics;

namespace Actors.Integration.Tests;

/// <summary>What a program a test ran to its end printed, and how it exited.</summary>
public sealed record ChildRunResult(int Code, string Out, string Err);

/// <summary>
/// Runs a program (the CLI as a user runs it, bash, systemd-analyze, dotnet) to its end with both streams read, and
/// kills its whole tree if it outlives <c>bound</c>, so a hung child fails the test instead of holding the run.
/// </summary>
public static class ChildRun
{
    public static async Task<ChildRunResult> RunAsync(ProcessStartInfo info, TimeSpan bound)
    {
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(bound);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
        return new ChildRunResult(process.ExitCode, await stdout, await stderr);
    }
}
