using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Actors.TestDummy.Modes;

/// <summary>
/// A fencing log written by the process itself, for the tests of singletons: appends <c>TOKEN NANOSECONDS</c> to FILE at
/// its start and every INTERVAL-MS, TOKEN from <c>ACTORS_LEASE_TOKEN</c> (the fencing token its node passes) and the
/// time from CLOCK_MONOTONIC (<see cref="Stopwatch"/> on Linux: one clock for every process of the machine). Each
/// line is one write(2) to a descriptor opened with O_APPEND (.NET's FileMode.Append seeks instead, which two writers
/// race on), so the file's order is the order in which the writes happened, whichever process wrote them: two copies
/// that overlap show as interleaved tokens.
/// </summary>
internal static class Fence
{
    private const int O_WRONLY = 0x1, O_CREAT = 0x40, O_APPEND = 0x400, O_CLOEXEC = 0x80000;

    [DllImport("libc", SetLastError = true)]
    private static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, int mode);

    [DllImport("libc", SetLastError = true)]
    private static extern nint write(int fd, byte[] buffer, nint count);

    public static int Run(string file, TimeSpan interval)
    {
        var token = Environment.GetEnvironmentVariable("ACTORS_LEASE_TOKEN") ?? "none";
        var fd = open(file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0x1A4 /* 0644 */);
        if (fd < 0)
        {
            Console.Error.WriteLine($"cannot open {file}: errno {Marshal.GetLastPInvokeError()}");
            return 1;
        }
        while (true)
        {
            var ns = (long)(Stopwatch.GetTimestamp() * (1_000_000_000.0 / Stopwatch.Frequency));
            var line = Encoding.ASCII.GetBytes(token + " " + ns.ToString(CultureInfo.InvariantCulture) + "\n");
            if (write(fd, line, line.Length) != line.Length)
            {
                Console.Error.WriteLine($"cannot append to {file}: errno {Marshal.GetLastPInvokeError()}");
                return 1;
            }
            Thread.Sleep(interval);
        }
    }
}
