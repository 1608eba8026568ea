using System.Text;

namespace Actors.Configuration;

/// <summary>The lexical pieces of the scan: strings, substitutions, blanks and comments.</summary>
internal sealed partial class HoconLineIndex
{
    private string ScanQuoted()
    {
        var startLine = _line;
        if (LookingAt("\"\"\""))
        {
            var end = _text.IndexOf("\"\"\"", _pos + 3, StringComparison.Ordinal);
            if (end < 0)
            {
                Error(startLine, "a \"\"\" string starts here and is never closed");
                while (!AtEnd)
                    Advance();
                return "";
            }
            var content = _text[(_pos + 3)..end];
            while (_pos < end + 3)
                Advance();
            return content;
        }
        var sb = new StringBuilder();
        _pos++;
        while (!AtEnd && Cur != '"' && Cur != '\n')
        {
            if (Cur == '\\' && !ScanEscape())
                continue;
            sb.Append(Cur);
            _pos++;
        }
        if (AtEnd || Cur == '\n')
        {
            Error(startLine, "a quoted string starts here and is not closed on the same line");
            return sb.ToString();
        }
        _pos++;
        return sb.ToString();
    }

    // Akka's parser throws on any other escape, and without a position; \u takes exactly four hex digits.
    private bool ScanEscape()
    {
        var code = _pos + 1 < _text.Length ? _text[_pos + 1] : '\0';
        var valid = "\"\\/bfnrt".IndexOf(code) >= 0
            || (code == 'u' && _pos + 6 <= _text.Length && _text.AsSpan(_pos + 2, 4).ContainsAnyExcept(HexDigits) is false);
        if (!valid)
        {
            Error(_line, code is '\n' or '\0'
                ? "a '\\' ends a quoted string's line; write \\\\ for a backslash"
                : $"unknown escape '\\{code}' in a quoted string; use \\\\, \\\", \\n, \\t, \\uXXXX or the character itself");
            _pos++;
            return false;
        }
        _pos++;
        return true;
    }

    private static readonly System.Buffers.SearchValues<char> HexDigits = System.Buffers.SearchValues.Create("0123456789abcdefABCDEF");

    private int _substitutions;

    // Mirrors Akka's parser: the path is unquoted text (no blanks, quotes or brackets) and '}' must follow it
    // at once. Anything else Akka reads differently than this scan would (${a b} leaves "b}" for it to read).
    private void ScanSubstitution()
    {
        var startLine = _line;
        // Akka follows a chain of substitutions recursively, while parsing already: their number bounds the chain.
        if (++_substitutions == ConfigLimits.MaxSubstitutions + 1)
            Error(startLine, $"more than {ConfigLimits.MaxSubstitutions} ${{...}} substitutions in the file; write the values out");
        _pos += 2;
        var pathStart = _pos;
        while (!AtEnd && !char.IsWhiteSpace(Cur) && !LookingAt("//") && "$\"{}[]:=,#`^?!@*&\\".IndexOf(Cur) < 0)
            _pos++;
        if (!AtEnd && Cur == '}' && _pos > pathStart)
        {
            _pos++;
            return;
        }
        Error(startLine, "a ${...} substitution here is not a plain key path closed by '}', e.g. ${actors.node.log-dir}");
    }

    private void SkipBlank(bool newlinesToo, bool commasToo = false, bool fieldSeparators = false)
    {
        while (!AtEnd)
        {
            var c = Cur;
            if (c == '#' || LookingAt("//"))
                SkipRestOfLine();
            else if (c == '\n' ? newlinesToo : char.IsWhiteSpace(c) || (commasToo && c == ','))
            {
                if (c == ',' && fieldSeparators)
                    _fieldCommas.Add(_pos);
                Advance();
            }
            else
                return;
        }
    }

    private void SkipRestOfLine()
    {
        while (!AtEnd && Cur != '\n')
            _pos++;
    }
}
