using System.Text;

namespace Actors.Configuration;

/// <summary>
/// Maps each full key path (<c>actors.processes.web.backoff.min</c>) to the line where it is written.
/// Akka's HOCON parser keeps no positions, so this scans the raw text itself. It also catches the
/// structural mistakes Akka's parser silently accepts, throws on without a position, or loops on forever, so
/// those are reported with a line before the text ever reaches Akka. Akka's only loop that can stop making
/// progress is the one over a list's elements (anything there that is neither a value, a ',' nor the closing
/// ']' keeps it spinning): the scan rejects every such character, so a text it passes always ends Akka's parse.
/// The scan recurses once per nesting level and stops at <see cref="ConfigLimits.MaxDepth"/>, before the
/// stack is at risk; a text it passes is as shallow for Akka's own recursion.
/// </summary>
internal sealed partial class HoconLineIndex
{
    private readonly Dictionary<string, int> _lines = new(StringComparer.Ordinal);
    private readonly List<(int Line, string Message)> _syntaxErrors = [];
    private readonly List<int> _fieldCommas = [];
    private readonly string _text;
    private int _pos;
    private int _line = 1;
    private bool _reportedUnclosed;
    // Set when the scan gave up (the file nests too deep): what follows is not scanned, nothing more reported.
    private bool _stopped;
    // Open '{' and '[' plus the extra parts of dotted keys around the scan position.
    private int _depth;

    private HoconLineIndex(string text) => _text = text;

    /// <summary>Structural errors found while scanning (unclosed braces, unterminated strings, ...).</summary>
    public IReadOnlyList<(int Line, string Message)> SyntaxErrors => _syntaxErrors;

    /// <summary>Lines of <c>include</c> statements, which this loader does not support.</summary>
    public List<int> IncludeLines { get; } = [];

    public static HoconLineIndex Build(string text)
    {
        var index = new HoconLineIndex(text);
        // A NUL in a path or an argument cannot reach the system (its APIs would throw); a config is text.
        if (text.IndexOf('\0') is var nul and >= 0)
            index.Error(index.LineAtOffset(nul), "a NUL character (byte 0) here; a configuration file is text, UTF-8");
        index.ScanRoot();
        return index;
    }

    /// <summary>
    /// The text to give Akka's parser: the same, except that commas separating the fields of an object are
    /// newlines. HOCON treats both alike, but Akka's parser rejects a comma right after a closing brace
    /// (<c>backoff { min = 0s }, stop.timeout = 1s</c>). Same length, so parser offsets still map to lines.
    /// </summary>
    public string TextForParser()
    {
        if (_fieldCommas.Count == 0)
            return _text;
        var chars = _text.ToCharArray();
        foreach (var at in _fieldCommas)
            chars[at] = '\n';
        return new string(chars);
    }

    /// <summary>The line of <paramref name="path"/>, or of its nearest written ancestor.</summary>
    public int? LineOf(string path)
    {
        for (var p = path; p.Length > 0; p = Parent(p))
        {
            if (_lines.TryGetValue(p, out var line))
                return line;
        }
        return null;
    }

    /// <summary>The 1-based line of a character offset into the scanned text.</summary>
    public int LineAtOffset(int offset)
    {
        var line = 1;
        for (var i = 0; i < offset && i < _text.Length; i++)
        {
            if (_text[i] == '\n')
                line++;
        }
        return line;
    }

    private static string Parent(string path)
    {
        var dot = path.LastIndexOf('.');
        return dot < 0 ? "" : path[..dot];
    }

    private bool AtEnd => _pos >= _text.Length;
    private char Cur => _text[_pos];
    private bool LookingAt(string s) => string.CompareOrdinal(_text, _pos, s, 0, s.Length) == 0;

    private void Advance()
    {
        if (_text[_pos] == '\n')
            _line++;
        _pos++;
    }

    private void Error(int line, string message)
    {
        if (!_stopped)
            _syntaxErrors.Add((line, message));
    }

    /// <summary>
    /// Enters <paramref name="levels"/> more levels of nesting; past the limit, reports it at the current line
    /// and ends the scan there (the rest of the text is not read, so nothing deeper recurses).
    /// </summary>
    private bool Enter(int levels, int line)
    {
        _depth += levels;
        if (_depth <= ConfigLimits.MaxDepth)
            return true;
        Error(line, $"nested deeper than {ConfigLimits.MaxDepth} levels (each '{{' and '[' opens one, a dotted key a.b.c opens two); flatten the file");
        _stopped = true;
        _pos = _text.Length;
        return false;
    }

    private void ScanRoot()
    {
        SkipBlank(newlinesToo: true);
        if (!AtEnd && Cur == '{')
        {
            var open = _line;
            Advance();
            if (!Enter(1, open))
                return;
            ScanObjectBody("", open);
            SkipBlank(newlinesToo: true);
            if (!AtEnd)
                Error(_line, $"unexpected '{Cur}' after the closing '}}' of the file");
            return;
        }
        ScanObjectBody("", openLine: null);
    }

    // openLine == null: the top level, which ends at the end of the text instead of at '}'.
    private void ScanObjectBody(string prefix, int? openLine)
    {
        while (true)
        {
            SkipBlank(newlinesToo: true, commasToo: true, fieldSeparators: true);
            if (AtEnd)
            {
                // Only the innermost unclosed '{' is the mistake; its parents are unclosed because of it.
                if (openLine is { } l && !_reportedUnclosed)
                    Error(l, "'{' opened here is never closed");
                _reportedUnclosed = true;
                return;
            }
            if (Cur == '}')
            {
                if (openLine is not null)
                {
                    Advance();
                    return;
                }
                Error(_line, "unexpected '}' with no '{' to close");
                Advance();
                continue;
            }
            if (Cur == ']')
            {
                Error(_line, "unexpected ']' with no '[' to close");
                Advance();
                continue;
            }
            if (LookingAt("include") && _pos + 7 < _text.Length && char.IsWhiteSpace(_text[_pos + 7]))
            {
                IncludeLines.Add(_line);
                SkipRestOfLine();
                continue;
            }
            ScanField(prefix);
        }
    }

    private void ScanField(string prefix)
    {
        var keyLine = _line;
        var segments = ScanKey();
        if (segments.Count == 0)
        {
            Error(_line, $"unexpected '{Cur}' where a key was expected");
            SkipRestOfLine();
            return;
        }
        // A dotted key a.b.c nests like a { b { c: its extra parts count as levels while its value is scanned.
        var depthBefore = _depth;
        if (Enter(segments.Count - 1, keyLine))
            ScanFieldValue(prefix, segments, keyLine);
        _depth = depthBefore;
    }

    private void ScanFieldValue(string prefix, List<string> segments, int keyLine)
    {
        var path = prefix;
        foreach (var segment in segments)
        {
            path = path.Length == 0 ? segment : $"{path}.{segment}";
            // Dotted keys (a.b.c = 1) write every prefix on this line; a later full block keeps its own line.
            _lines.TryAdd(path, keyLine);
        }
        _lines[path] = keyLine;
        SkipBlank(newlinesToo: false);
        if (!AtEnd && Cur == '{')
        {
            Advance();
            if (Enter(1, keyLine))
                ScanObjectBody(path, keyLine);
            _depth--;
            return;
        }
        if (LookingAt("+="))
            _pos += 2;
        else if (!AtEnd && (Cur == '=' || Cur == ':'))
            _pos++;
        else
        {
            Error(keyLine, $"expected '=', ':' or '{{' after the key '{string.Join('.', segments)}'");
            SkipRestOfLine();
            return;
        }
        SkipBlank(newlinesToo: false);
        if (AtEnd || Cur is '\n' or '}' or ',' || LookingAt("#") || LookingAt("//"))
        {
            Error(keyLine, $"the key '{string.Join('.', segments)}' has no value");
            return;
        }
        ScanValue(path);
    }

    private List<string> ScanKey()
    {
        var segments = new List<string>();
        var current = new StringBuilder();
        var any = false;
        while (!AtEnd)
        {
            if (Cur == '"')
            {
                current.Append(ScanQuoted());
                any = true;
            }
            else if (Cur == '.')
            {
                segments.Add(current.ToString());
                current.Clear();
                _pos++;
            }
            else if (IsUnquotedChar())
            {
                current.Append(Cur);
                any = true;
                _pos++;
            }
            else
                break;
        }
        if (any)
            segments.Add(current.ToString());
        return segments;
    }

    private bool IsUnquotedChar() =>
        !char.IsWhiteSpace(Cur) && "=:{}[],#\"+$".IndexOf(Cur) < 0 && !LookingAt("//");

    // Characters Akka's parser takes for no value: in a list it loops on them forever; elsewhere it throws,
    // without a position after unquoted text. Its set of what ends unquoted text, less what starts a value.
    private const string NotAValue = "$:=`^?!@*&\\";

    // A value runs to the end of the line, a ',' or a closing bracket; objects and lists nest.
    private void ScanValue(string path)
    {
        var inList = path.EndsWith("[]", StringComparison.Ordinal);
        while (!AtEnd)
        {
            var c = Cur;
            if (c is '\n' or ',' or '}' or ']' || LookingAt("#") || LookingAt("//"))
                return;
            if (LookingAt("${"))
                ScanSubstitution();
            else if (NotAValue.IndexOf(c) >= 0)
            {
                Error(_line, c == '=' && inList
                    ? "'=' inside a list: a list holds values, e.g. args = [\"-m\", \"http.server\"]; an object goes in braces: [{ a = 1 }]"
                    : inList
                        ? $"'{c}' inside a list: a list holds values separated by ',' (put text with '{c}' in quotes)"
                        : $"'{c}' in a value: put a value holding '{c}' in quotes, e.g. \"host:8080\"");
                Advance();
            }
            else if (c == '{')
            {
                var open = _line;
                Advance();
                if (Enter(1, open))
                    ScanObjectBody(path, open);
                _depth--;
            }
            else if (c == '[')
                ScanArray(path);
            else if (c == '"')
                ScanQuoted();
            else
                Advance();
        }
    }

    private void ScanArray(string path)
    {
        var open = _line;
        Advance();
        if (Enter(1, open))
            ScanArrayBody(path, open);
        _depth--;
    }

    private void ScanArrayBody(string path, int open)
    {
        while (true)
        {
            SkipBlank(newlinesToo: true, commasToo: true);
            if (AtEnd)
            {
                Error(open, "'[' opened here is never closed");
                _reportedUnclosed = true;
                return;
            }
            if (Cur == ']')
            {
                Advance();
                return;
            }
            if (Cur == '}')
            {
                // Leave the '}' to the enclosing object so its own bookkeeping stays right.
                Error(open, "'[' opened here is never closed");
                _reportedUnclosed = true;
                return;
            }
            ScanValue(path + "[]");
        }
    }
}
