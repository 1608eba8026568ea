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
            if (Cur == '\\' && _pos + 1 < _text.Length)
                _pos++;
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

    private void ScanSubstitution()
    {
        var startLine = _line;
        while (!AtEnd && Cur != '}' && Cur != '\n')
            _pos++;
        if (AtEnd || Cur == '\n')
            Error(startLine, "a ${...} substitution starts here and is not closed");
        else
            _pos++;
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
