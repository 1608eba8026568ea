using System.Text;

namespace Actors.TestDummy.Modes;

/// <summary>
/// Unbuffered output: each <see cref="WriteLine(Stream, string)"/> is one write() on the raw descriptor,
/// the way a real service that logs line by line hits the supervisor's pipe.
/// </summary>
internal static class Output
{
    public static readonly Stream Stdout = Console.OpenStandardOutput();
    public static readonly Stream Stderr = Console.OpenStandardError();

    public static void WriteLine(Stream stream, string text)
    {
        stream.Write(Encoding.UTF8.GetBytes(text + "\n"));
    }
}
