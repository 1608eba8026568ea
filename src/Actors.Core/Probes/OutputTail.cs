using System.Text;
using CliWrap;

namespace Actors.Probes;

/// <summary>
/// Keeps only the last non-empty line an exec probe's command wrote (stdout and stderr alike, in order of
/// arrival), cut to <see cref="MaxLength"/> characters: enough for a status line, bounded however much it prints.
/// </summary>
internal sealed class OutputTail
{
    public const int MaxLength = 200;

    private readonly object _gate = new();
    private string? _lastLine;

    /// <summary>A pipe target for one stream of the command; each stream keeps its own unfinished line.</summary>
    public PipeTarget Target() => new StreamTail(this);

    /// <summary>The last non-empty line, or null if the command printed nothing.</summary>
    public string? LastLine
    {
        get
        {
            lock (_gate) return _lastLine;
        }
    }

    private void Offer(StringBuilder line)
    {
        var text = line.ToString().Trim();
        if (text.Length == 0)
            return;
        lock (_gate) _lastLine = text;
    }

    private sealed class StreamTail(OutputTail tail) : PipeTarget
    {
        public override async Task CopyFromAsync(Stream origin, CancellationToken cancellationToken = default)
        {
            var decoder = Encoding.UTF8.GetDecoder();
            var bytes = new byte[4096];
            var chars = new char[Encoding.UTF8.GetMaxCharCount(bytes.Length)];
            var line = new StringBuilder(MaxLength);
            int read;
            while ((read = await origin.ReadAsync(bytes, cancellationToken).ConfigureAwait(false)) > 0)
            {
                var count = decoder.GetChars(bytes, 0, read, chars, 0, flush: false);
                foreach (var c in chars.AsSpan(0, count))
                {
                    if (c == '\n')
                    {
                        tail.Offer(line);
                        line.Clear();
                    }
                    else if (line.Length < MaxLength && c != '\r')
                    {
                        line.Append(c);
                    }
                }
            }
            tail.Offer(line); // a last line without its newline
        }
    }
}
