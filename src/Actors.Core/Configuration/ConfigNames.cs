namespace Actors.Configuration;

/// <summary>
/// What the names a configuration gives may be made of: process, lease and role names are ASCII letters, digits, '.',
/// '_' and '-' (they name files, log lines and URLs); a host name is such a name that starts with a letter or digit.
/// One place for what four readers checked each with its own regular expression, whose <c>$</c> also let a name end in
/// a newline.
/// </summary>
internal static class ConfigNames
{
    public static bool IsName(string text) => text.Length > 0 && text.All(IsNameChar);

    public static bool IsHostName(string text) => IsName(text) && char.IsAsciiLetterOrDigit(text[0]);

    private static bool IsNameChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-';
}
