namespace Actors.Configuration;

/// <summary>
/// Bounds on what a configuration file may be, checked before anything recursive or costly reads it. Akka's
/// HOCON parser and the value reads after it recurse once per nesting level and per substitution hop: without a
/// bound, a deep file overflows the stack, which kills the process outright (a node taking a reload included).
/// </summary>
public static class ConfigLimits
{
    /// <summary>
    /// The deepest nesting of objects, lists and dotted key parts (<c>a.b.c</c> counts as three). Real files
    /// use under ten; Akka's parser needs a few stack frames per level.
    /// </summary>
    public const int MaxDepth = 64;

    /// <summary>
    /// The most <c>${...}</c> substitutions a file may hold: Akka resolves a chain of them recursively, so their
    /// number bounds the chain. Values reached through them may nest at most <see cref="MaxDepth"/> levels more.
    /// </summary>
    public const int MaxSubstitutions = 256;

    /// <summary>
    /// The largest file read. Ten thousand processes written one a line take half a megabyte; reading a file of
    /// this size costs at most about a second of CPU whatever it holds (measured with huge values, keys, comments).
    /// </summary>
    public const int MaxFileBytes = 2 * 1024 * 1024;
}
