using System.Text;

namespace Actors.Configuration;

/// <summary>
/// Maps each full key path (<c>actors.processes.web.backoff.min</c>) to the line where it is written.
/// Akka's HOCON parser keeps no positions, so this scans the raw text itself. It also catches the
/// structural mistakes Akka's parser silently accepts or loops on forever (an unclosed <c>[</c> inside an
/// object hangs it), so those are reported with a line before the text ever reaches Akka.
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

    private HoconLineIndex(string text) => _text = text;

    /// <summary>Structural errors found while scanning (unclosed braces, unterminated strings, ...).</summary>
    public IReadOnlyList<(int Line, string Message)> SyntaxErrors => _syntaxErrors;

    /// <summary>Lines of <c>include</c> statements, which this loader does not support.</summary>
    public List<int> IncludeLines { get; } = [];

    public static HoconLineIndex Build(string text)
    {
        var index = new HoconLineIndex(text);
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

    private void Error(int line, string message) => _syntaxErrors.Add((line, message));

    private void ScanRoot()
    {
        SkipBlank(newlinesToo: true);
        if (!AtEnd && Cur == '{')
        {
            var open = _line;
            Advance();
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
            ScanObjectBody(path, keyLine);
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

    // A value runs to the end of the line, a ',' or a closing bracket; objects and lists nest.
    private void ScanValue(string path)
    {
        while (!AtEnd)
        {
            var c = Cur;
            if (c is '\n' or ',' or '}' or ']' || LookingAt("#") || LookingAt("//"))
                return;
            if (c == '=' && path.EndsWith("[]", StringComparison.Ordinal))
            {
                // Akka's parser loops forever on a key-value pair inside a list: stop it here.
                Error(_line, "'=' inside a list: a list holds values, e.g. args = [\"-m\", \"http.server\"]; an object goes in braces: [{ a = 1 }]");
                Advance();
                continue;
            }
            if (c == '{')
            {
                var open = _line;
                Advance();
                ScanObjectBody(path, open);
            }
            else if (c == '[')
                ScanArray(path);
            else if (c == '"')
                ScanQuoted();
            else if (LookingAt("${"))
                ScanSubstitution();
            else
                Advance();
        }
    }

    private void ScanArray(string path)
    {
        var open = _line;
        Advance();
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
