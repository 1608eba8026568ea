using System.Text;

namespace Actors.Logging;

/// <summary>
/// A hook's output into its process's log: every line starts with a prefix (<c>"[pre-start] "</c>), after the
/// timestamp when timestamps are on. Written beside the process's own output (<see cref="ProcessLogWriter.WriteAside"/>),
/// so a hook's line never counts as the process's ready-log-line. Fed by one pump thread; a hook runs only while no
/// run of its process writes (before the launch, after the group is gone), so lines do not interleave.
/// </summary>
internal sealed class PrefixedLogSink(ProcessLogWriter log, string prefix) : IOutputSink
{
    private readonly byte[] _prefix = Encoding.UTF8.GetBytes(prefix);
    private bool _atLineStart = true;

    public void Write(ReadOnlySpan<byte> chunk)
    {
        while (!chunk.IsEmpty)
        {
            if (_atLineStart) log.WriteAside(_prefix);
            var newline = chunk.IndexOf((byte)'\n');
            var segment = newline < 0 ? chunk : chunk[..(newline + 1)];
            log.WriteAside(segment);
            _atLineStart = newline >= 0;
            chunk = chunk[segment.Length..];
        }
    }

    public void Flush() => log.Flush();

    public void CompletePartialLine()
    {
        if (_atLineStart) return;
        log.WriteAside("\n"u8);
        _atLineStart = true;
    }
}
