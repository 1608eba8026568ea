using System.Text;

namespace Actors.Configuration;

/// <summary>A line of a dotenv file that cannot be read, and why.</summary>
public sealed record DotenvError(int Line, string Message);

/// <summary>
/// The dotenv syntax of <c>env-file</c> (docker compose's and python-dotenv's common ground): <c>NAME=value</c> per
/// line; blank lines and <c>#</c> comments; an optional <c>export </c> prefix; whitespace around <c>=</c>; unquoted
/// values trimmed, cut at a <c>#</c> after whitespace; <c>'single quotes'</c> taken literally; <c>"double quotes"</c>
/// with <c>\n \r \t \" \\ \$</c> escapes; quoted values may span lines; <c>${NAME}</c>, <c>${NAME:-default}</c>,
/// <c>${NAME-default}</c> and <c>$NAME</c> in unquoted and double-quoted values, resolved against what the files
/// defined before, then the node's environment; a bare <c>NAME</c> passes the node's own value on.
/// <para>
/// Written here rather than taken from NuGet: DotNetEnv resolves references through a static, process-wide snapshot
/// and the live process environment (we parse for several processes at once, on reload and at each start, against a
/// given environment), and accepts <c>set</c>/<c>SET</c> prefixes no other tool does; dotenv.net has no references and
/// reports no line numbers.
/// </para>
/// </summary>
public static class Dotenv
{
    /// <summary>
    /// Reads <paramref name="text"/> into <paramref name="values"/> in order (a later definition wins). References
    /// resolve against <paramref name="values"/> (what was defined before, in this file or an earlier one), then
    /// <paramref name="outside"/>. Null when the whole text is read; else the first problem (nothing more is read).
    /// </summary>
    public static DotenvError? Parse(string text, IDictionary<string, string> values, Func<string, string?> outside)
    {
        var p = new Scanner(text, values, outside);
        try
        {
            p.ReadAll();
            return null;
        }
        catch (ParseFailure e)
        {
            return new DotenvError(e.Line, e.Message);
        }
    }

    /// <summary>Letters, digits, <c>_</c>, <c>.</c> and <c>-</c>, not starting with a digit, <c>.</c> or <c>-</c>.</summary>
    public static bool IsValidName(string name) =>
        name.Length > 0 && IsNameStart(name[0]) && name.All(IsNameChar);

    private static bool IsNameStart(char c) => c is '_' or (>= 'A' and <= 'Z') or (>= 'a' and <= 'z');
    private static bool IsNameChar(char c) => IsNameStart(c) || c is (>= '0' and <= '9') or '.' or '-';
    // In a reference ($NAME, ${NAME}) a name is a shell's: no '.' or '-', so "$HOST-1" means HOST and "-1".
    private static bool IsRefChar(char c) => IsNameStart(c) || c is >= '0' and <= '9';

    private sealed class ParseFailure(int line, string message) : Exception(message)
    {
        public int Line { get; } = line;
    }

    private sealed class Scanner(string text, IDictionary<string, string> values, Func<string, string?> outside)
    {
        private int _pos;
        private int _line = 1;

        private bool AtEnd => _pos >= text.Length;
        private char Peek => text[_pos];

        public void ReadAll()
        {
            if (text.Contains('\0')) throw new ParseFailure(text[..text.IndexOf('\0')].Count(c => c == '\n') + 1, "contains a NUL byte; an env file is text");
            while (true)
            {
                SkipBlanks();
                if (AtEnd) return;
                if (Peek == '\n') { Next(); continue; }
                if (Peek == '#') { SkipToLineEnd(); continue; }
                ReadAssignment();
            }
        }

        private void ReadAssignment()
        {
            var line = _line;
            if (StartsWithWord("export")) { _pos += "export".Length; SkipBlanks(); }
            var nameStart = _pos;
            while (!AtEnd && IsNameChar(Peek)) _pos++;
            var name = text[nameStart.._pos];
            if (!IsValidName(name))
                throw new ParseFailure(line, name.Length == 0
                    ? $"expected NAME=value, found {Describe(AtEnd ? '\n' : Peek)}"
                    : $"\"{name}\" is not a valid variable name; use letters, digits, '_', '.' and '-', starting with a letter or '_'");
            SkipBlanks();
            if (AtEnd || Peek is '\n' or '#')
            {
                // A bare NAME (docker compose): the node's own value, if it has one.
                SkipToLineEnd();
                if (outside(name) is { } inherited) values[name] = inherited;
                return;
            }
            if (Peek != '=')
                throw new ParseFailure(line, $"expected '=' after {name}, found {Describe(Peek)}; write {name}=value (quote a value with spaces)");
            Next();
            SkipBlanks();
            string value;
            if (!AtEnd && Peek == '\'') value = ReadSingleQuoted(line);
            else if (!AtEnd && Peek == '"') value = ReadDoubleQuoted(line);
            else value = ReadUnquoted(line);
            values[name] = value;
        }

        private string ReadUnquoted(int line)
        {
            var start = _pos;
            while (!AtEnd && Peek != '\n')
            {
                // A '#' starts a comment only after whitespace (docker compose): a#b and KEY=#b are values.
                if (Peek == '#' && text[_pos - 1] is ' ' or '\t') break;
                _pos++;
            }
            var raw = text[start.._pos].TrimEnd(' ', '\t', '\r');
            SkipToLineEnd();
            return Expand(raw, line);
        }

        private string ReadSingleQuoted(int line)
        {
            Next();
            var start = _pos;
            while (!AtEnd && Peek != '\'') Next();
            if (AtEnd) throw new ParseFailure(line, "the single quote opened here is never closed; end the value with '");
            var value = text[start.._pos];
            Next();
            AfterClosingQuote(line);
            return value;
        }

        private string ReadDoubleQuoted(int line)
        {
            Next();
            var value = new StringBuilder();
            var chunk = new StringBuilder(); // unescaped text whose references are still to expand
            while (true)
            {
                if (AtEnd) throw new ParseFailure(line, "the double quote opened here is never closed; end the value with \"");
                var c = Peek;
                if (c == '"') break;
                if (c == '\\' && _pos + 1 < text.Length)
                {
                    var e = text[_pos + 1];
                    string? escaped = e switch { 'n' => "\n", 'r' => "\r", 't' => "\t", '"' => "\"", '\\' => "\\", '$' => "$", _ => null };
                    if (escaped is not null)
                    {
                        // An escaped '$' must not start a reference: expand what came before, then add it as it is.
                        value.Append(Expand(chunk.ToString(), line)).Append(escaped);
                        chunk.Clear();
                        _pos += 2;
                        continue;
                    }
                }
                chunk.Append(c);
                Next();
            }
            value.Append(Expand(chunk.ToString(), line));
            Next();
            AfterClosingQuote(line);
            return value.ToString();
        }

        private void AfterClosingQuote(int line)
        {
            SkipBlanks();
            if (AtEnd || Peek == '\n') return;
            if (Peek == '#') { SkipToLineEnd(); return; }
            throw new ParseFailure(_line, $"unexpected {Describe(Peek)} after the closing quote of the value that starts on line {line}; put the whole value in the quotes");
        }

        /// <summary>Replaces <c>$NAME</c>, <c>${NAME}</c>, <c>${NAME:-default}</c> and <c>${NAME-default}</c>; any other <c>$</c> stays.</summary>
        private string Expand(string raw, int line)
        {
            if (!raw.Contains('$')) return raw;
            var result = new StringBuilder(raw.Length);
            for (var i = 0; i < raw.Length; i++)
            {
                if (raw[i] != '$' || i + 1 >= raw.Length) { result.Append(raw[i]); continue; }
                if (raw[i + 1] == '{')
                {
                    var close = raw.IndexOf('}', i + 2);
                    if (close < 0) throw new ParseFailure(line, "${ is never closed with }; write ${NAME}, or \\$ in double quotes for a plain $");
                    var inner = raw[(i + 2)..close];
                    var n = 0;
                    while (n < inner.Length && IsRefChar(inner[n])) n++;
                    var name = inner[..n];
                    var rest = inner[n..];
                    if (name.Length == 0 || !IsNameStart(name[0]) || !(rest.Length == 0 || rest.StartsWith(":-", StringComparison.Ordinal) || rest.StartsWith('-')))
                        throw new ParseFailure(line, $"${{{inner}}} is not a reference; use ${{NAME}}, ${{NAME:-default}} or ${{NAME-default}}");
                    var found = Lookup(name);
                    if (rest.StartsWith(":-", StringComparison.Ordinal)) result.Append(string.IsNullOrEmpty(found) ? rest[2..] : found);
                    else if (rest.StartsWith('-')) result.Append(found ?? rest[1..]);
                    else result.Append(found);
                    i = close;
                }
                else if (IsNameStart(raw[i + 1]))
                {
                    var end = i + 1;
                    while (end < raw.Length && IsRefChar(raw[end])) end++;
                    result.Append(Lookup(raw[(i + 1)..end]));
                    i = end - 1;
                }
                else result.Append('$');
            }
            return result.ToString();
        }

        private string? Lookup(string name) => values.TryGetValue(name, out var v) ? v : outside(name);

        private bool StartsWithWord(string word) =>
            string.CompareOrdinal(text, _pos, word, 0, word.Length) == 0
            && _pos + word.Length < text.Length && text[_pos + word.Length] is ' ' or '\t';

        private void SkipBlanks()
        {
            while (!AtEnd && Peek is ' ' or '\t' or '\r' or '\uFEFF') _pos++;
        }

        private void SkipToLineEnd()
        {
            while (!AtEnd && Peek != '\n') _pos++;
        }

        private void Next()
        {
            if (text[_pos] == '\n') _line++;
            _pos++;
        }

        private static string Describe(char c) => c switch
        {
            '\n' => "the end of the line",
            _ when char.IsControl(c) => $"control character U+{(int)c:X4}",
            _ => $"'{c}'",
        };
    }
}
