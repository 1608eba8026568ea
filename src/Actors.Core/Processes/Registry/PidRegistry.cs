using Actors.Native;

namespace Actors.Processes;

/// <summary>
/// The durable record of the node's children: one small file per child, <c>&lt;state-dir&gt;/pids/&lt;pid&gt;.json</c>
/// (see <see cref="PidEntry"/>), written when it starts and deleted once it is gone with its whole group. What
/// is left there after a node died is what <see cref="ReapOrphans"/> stops at the next boot.
/// <para>
/// Files are written on a thread of their own, so a spawn never waits for the file system. The short window
/// between a spawn and its entry being written is covered by the <see cref="WatchdogLink"/>. Each file is written
/// to a temp file and renamed into place, so a node that dies leaves the whole entry or none; entries are not
/// fsynced, as nothing they name outlives a crash of the machine (see <see cref="Write"/>). A folder that cannot
/// be written does not stop the node: the warning says so once, and the children simply are not recorded.
/// </para>
/// </summary>
public sealed partial class PidRegistry : IPidRegistry, IDisposable
{
    /// <summary>The registry's folder inside the state dir.</summary>
    public const string FolderName = "pids";

    private readonly HandoffQueue<(int Pid, long StartTime, byte[]? Json)> _queue = new();
    // What each file holds (writer thread only): a late removal of an older child must not delete a newer one's entry.
    private readonly Dictionary<int, long> _written = new();
    private readonly string _folder;
    private readonly Action<string> _warn;
    private readonly Thread _writer;
    private readonly int _nodePid = Environment.ProcessId;
    private readonly long _nodeStartTime = ProcStat.ReadStartTime(Environment.ProcessId) ?? 0;
    private bool _folderReady, _warned;

    /// <param name="stateDir">The node's state dir; entries go to its <c>pids</c> folder.</param>
    /// <param name="warn">Told once, if the folder cannot be written.</param>
    public PidRegistry(string stateDir, Action<string> warn)
    {
        _folder = FolderOf(stateDir);
        _warn = warn;
        _writer = new Thread(WriteLoop) { IsBackground = true, Name = "actors-pid-registry" };
        _writer.Start();
    }

    /// <summary>Where the entries of the node with <paramref name="stateDir"/> are.</summary>
    public static string FolderOf(string stateDir) => Path.Combine(stateDir, FolderName);

    /// <summary>This boot's id (/proc/sys/kernel/random/boot_id): start times only compare within one boot.</summary>
    public static string CurrentBootId { get; } = ReadBootId();

    public void Added(string name, int pid, long startTime) =>
        Enqueue(pid, startTime, new PidEntry(name, pid, pid, startTime, CurrentBootId, _nodePid, _nodeStartTime).ToJson());

    public void Removed(int pid, long startTime) => Enqueue(pid, startTime, null);

    // Refused once disposed: the node is going; the next boot deals with what is left.
    private void Enqueue(int pid, long startTime, byte[]? json) => _queue.TryAdd((pid, startTime, json));

    private void WriteLoop()
    {
        foreach (var (pid, startTime, json) in _queue.Consume())
        {
            var path = Path.Combine(_folder, $"{pid}.json");
            try
            {
                if (json is not null)
                {
                    _written[pid] = startTime;
                    Write(path, json);
                }
                else if (_written.TryGetValue(pid, out var current) && current == startTime)
                {
                    _written.Remove(pid);
                    File.Delete(path);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                if (_warned) continue;
                _warned = true;
                _warn($"the pid registry {_folder} cannot be written ({e.Message}); children that outlive a crash of " +
                      "this node will not be reaped at its next start (the watchdog still stops them if the node dies)");
            }
        }
    }

    private void Write(string path, byte[] json)
    {
        if (!_folderReady)
        {
            Directory.CreateDirectory(_folder);
            _folderReady = true;
        }
        // Renamed into place once written: a node that dies mid-write leaves a temp file, never a partial entry. Not
        // fsynced: an entry names processes of this boot only, which no crash of the machine leaves running, and the
        // next boot deletes an earlier boot's entries (a torn one as corrupt). Only the node's own death matters, and
        // the page cache outlives it. (The two fsyncs per spawn: a crash loop's node CPU per restart 2.5-3.1 -> 2.2-2.3
        // ms, bench/README.md, stop 37.)
        AtomicFile.Replace(path, json, durable: false);
    }

    /// <summary>Writes what is queued, then stops the writer.</summary>
    public void Dispose()
    {
        _queue.CompleteAdding();
        _writer.Join(TimeSpan.FromSeconds(10));
    }

    private static string ReadBootId()
    {
        try { return File.ReadAllText("/proc/sys/kernel/random/boot_id").Trim(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return ""; }
    }
}
