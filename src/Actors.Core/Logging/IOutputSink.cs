namespace Actors.Logging;

/// <summary>
/// Where the output pump puts what it reads from a child's pipe (stdout and stderr merged, in the order written):
/// a process's log (<see cref="ProcessLogWriter"/>), or the last line of a one-shot command such as an exec probe.
/// Called from the pump's thread only.
/// </summary>
internal interface IOutputSink
{
    /// <summary>A chunk as read from the pipe; it may end mid-line or hold many lines.</summary>
    void Write(ReadOnlySpan<byte> chunk);

    /// <summary>After a batch of reads: hand what is buffered on.</summary>
    void Flush();

    /// <summary>The output ended (or is no longer read) after an unterminated line: end it.</summary>
    void CompletePartialLine();
}
