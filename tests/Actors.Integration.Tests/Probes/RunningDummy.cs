using System.Diagnostics;

namespace Actors.Integration.Tests.Probes;

/// <summary>The TestDummy started directly by a test (no supervisor), to be checked by probes; killed with its tree on dispose.</summary>
internal sealed class RunningDummy : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private readonly Process _process;

    private RunningDummy(Process process) => _process = process;

    public int Pid => _process.Id;

    public static RunningDummy Start(params string[] mode)
    {
        var info = new ProcessStartInfo(TestPaths.DotnetHost) { UseShellExecute = false, RedirectStandardOutput = true };
        info.ArgumentList.Add(TestPaths.TestDummy);
        foreach (var arg in mode)
            info.ArgumentList.Add(arg);
        return new RunningDummy(Process.Start(info)!);
    }

    /// <summary>Reads stdout until a line starts with <paramref name="prefix"/> and returns it (bounded).</summary>
    public async Task<string> AwaitLine(string prefix)
    {
        using var patience = new CancellationTokenSource(Patience);
        while (await _process.StandardOutput.ReadLineAsync(patience.Token) is { } line)
        {
            if (line.StartsWith(prefix, StringComparison.Ordinal))
                return line;
        }
        throw new InvalidOperationException($"the dummy ended its output without a line starting with \"{prefix}\"");
    }

    public void Dispose()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
        _process.Dispose();
    }
}
