using System.Text;
using Actors.Logging;

namespace Actors.Processes;

/// <summary>
/// Keeps only the last non-empty line a one-shot command wrote (stdout and stderr share one pipe, so this is the
/// last line in the order the command wrote them), cut to <see cref="MaxLength"/> characters: enough for a status
/// line, and memory stays bounded however much the command prints.
/// <para>Fed by the output pump's thread; <see cref="LastLine"/> is read once the pump closed the pipe and
/// reported the exit, which orders every write before the read.</para>
/// </summary>
internal sealed class OutputTail : IOutputSink
{
    public const int MaxLength = 200;

    private readonly Decoder _decoder = Encoding.UTF8.GetDecoder();
    private readonly char[] _chars = new char[1024];
    private readonly StringBuilder _line = new(MaxLength);

    /// <summary>The last non-empty line, or null if the command printed nothing.</summary>
    public string? LastLine { get; private set; }

    public void Write(ReadOnlySpan<byte> chunk)
    {
        while (!chunk.IsEmpty)
        {
            // A sequence split between chunks stays in the decoder; bytes it cannot yet fit into _chars stay in chunk.
            _decoder.Convert(chunk, _chars, flush: false, out var bytesUsed, out var charsUsed, out _);
            chunk = chunk[bytesUsed..];
            foreach (var c in _chars.AsSpan(0, charsUsed))
            {
                if (c == '\n')
                    EndLine();
                else if (_line.Length < MaxLength && c != '\r')
                    _line.Append(c);
            }
        }
    }

    public void Flush()
    {
    }

    /// <summary>A last line without its newline counts too.</summary>
    public void CompletePartialLine() => EndLine();

    private void EndLine()
    {
        var text = _line.ToString().Trim();
        _line.Clear();
        if (text.Length > 0)
            LastLine = text;
    }
}
