namespace Actors.TestDummy.Modes;

/// <summary>Touches a file at an interval forever: a liveness signal a probe (or a test) can watch go stale.</summary>
internal static class Heartbeat
{
    public static int Run(string file, TimeSpan interval)
    {
        while (true)
        {
            // Create if missing, then bump mtime: the same effect as touch(1).
            using (File.Open(file, FileMode.OpenOrCreate, FileAccess.Write, FileShare.ReadWrite))
            {
            }
            File.SetLastWriteTimeUtc(file, DateTime.UtcNow);
            Thread.Sleep(interval);
        }
    }
}
