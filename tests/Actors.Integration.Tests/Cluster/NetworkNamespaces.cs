using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;

namespace Actors.Integration.Tests.Cluster;

/// <summary>
/// A private network for real nodes on this machine: each node gets a network namespace of its own, joined by a veth
/// pair to a bridge in a further "hub" namespace, so a test can cut one node off the others and heal it again
/// without touching the host's own network. A cut sets that node's veth end in the hub down: the node's packets and
/// those sent to it are lost (no RST, no ICMP), as when its cable or switch port fails; a heal sets it up again.
/// <para>
/// Every interface lives inside these namespaces (in the hub <c>br0</c> and <c>v1</c>..<c>vN</c>, in a node's own
/// <c>eth0</c> with 10.250.0.I/24), so their names and addresses never meet the host's or another test's. The
/// namespaces are named <c>actn-PID-K-hub</c> and <c>actn-PID-K-I</c> (PID this test process, K a counter); those a
/// killed earlier run left (the prefix with a PID that no longer runs) are removed before new ones are made.
/// Needs root (CAP_NET_ADMIN) and iproute2's <c>ip</c>; when a namespace cannot be made it throws with why, never
/// skips. Disposing removes every namespace it made, also after a failed start; stop the processes inside first.
/// </para>
/// </summary>
public sealed class NetworkNamespaces : IDisposable
{
    /// <summary>The prefix of every namespace these tests (and bench/failover.py --kind partition) make.</summary>
    public const string Prefix = "actn-";

    private static readonly TimeSpan IpBound = TimeSpan.FromSeconds(60);
    private static int _counter;
    private static int _staleRemoved;
    private readonly List<string> _made = [];
    private readonly string[] _nodes;

    public string Hub { get; }

    private NetworkNamespaces(int count)
    {
        var stem = $"{Prefix}{Environment.ProcessId}-{Interlocked.Increment(ref _counter)}";
        Hub = stem + "-hub";
        _nodes = Enumerable.Range(1, count).Select(i => $"{stem}-{i}").ToArray();
    }

    /// <summary>Makes the hub and <paramref name="count"/> node namespaces, each node reaching the others through the hub.</summary>
    public static NetworkNamespaces Create(int count)
    {
        if (Interlocked.Exchange(ref _staleRemoved, 1) == 0) RemoveStale();
        var net = new NetworkNamespaces(count);
        try
        {
            net.Add(net.Hub);
            Ip("-n", net.Hub, "link", "add", "br0", "type", "bridge");
            Ip("-n", net.Hub, "link", "set", "br0", "up");
            for (int i = 0; i < count; i++)
            {
                var ns = net._nodes[i];
                net.Add(ns);
                Ip("-n", ns, "link", "set", "lo", "up");
                // Made in the hub with its peer created straight in the node's namespace: no name ever exists in the host's.
                Ip("-n", net.Hub, "link", "add", $"v{i + 1}", "type", "veth", "peer", "name", "eth0", "netns", ns);
                Ip("-n", net.Hub, "link", "set", $"v{i + 1}", "master", "br0", "up");
                Ip("-n", ns, "addr", "add", $"{net.Address(i)}/24", "dev", "eth0");
                Ip("-n", ns, "link", "set", "eth0", "up");
            }
            return net;
        }
        catch
        {
            net.Dispose();
            throw;
        }
    }

    /// <summary>The IPv4 address of node <paramref name="node"/> (0-based) inside its namespace.</summary>
    public string Address(int node) => $"10.250.0.{node + 1}";

    /// <summary>The namespace of node <paramref name="node"/> (0-based).</summary>
    public string Namespace(int node) => _nodes[node];

    /// <summary>Cuts the node off: its veth end in the hub goes down, and every packet to or from it is lost.</summary>
    public void Cut(int node) => Ip("-n", Hub, "link", "set", $"v{node + 1}", "down");

    /// <summary>Heals a cut: the node's veth end in the hub is up again.</summary>
    public void Heal(int node) => Ip("-n", Hub, "link", "set", $"v{node + 1}", "up");

    /// <summary>
    /// <paramref name="command"/> run inside node <paramref name="node"/>'s namespace: <c>ip netns exec NS</c> in front
    /// of it, which execs it in place (same pid, so signals sent to the process reach the command itself).
    /// </summary>
    public ProcessStartInfo Inside(int node, ProcessStartInfo command)
    {
        var info = new ProcessStartInfo("ip")
        {
            WorkingDirectory = command.WorkingDirectory,
            RedirectStandardInput = command.RedirectStandardInput,
            RedirectStandardOutput = command.RedirectStandardOutput,
            RedirectStandardError = command.RedirectStandardError,
        };
        foreach (var arg in new[] { "netns", "exec", _nodes[node], command.FileName }.Concat(command.ArgumentList)) info.ArgumentList.Add(arg);
        info.Environment.Clear();
        foreach (var (key, value) in command.Environment) info.Environment[key] = value;
        return info;
    }

    private void Add(string ns)
    {
        Ip("netns", "add", ns);
        _made.Add(ns);
    }

    /// <summary>
    /// Removes the namespaces this made. A process still inside keeps its namespace alive until it ends (the name
    /// goes at once): the tests stop their nodes first.
    /// </summary>
    public void Dispose()
    {
        var failures = new List<string>();
        foreach (var ns in Enumerable.Reverse(_made))
        {
            try
            {
                Ip("netns", "delete", ns);
            }
            catch (InvalidOperationException e)
            {
                failures.Add(e.Message);
            }
        }
        _made.Clear();
        if (failures.Count > 0) throw new InvalidOperationException(string.Join("\n", failures));
    }

    /// <summary>Removes the namespaces of earlier runs whose test process no longer runs (killed before its cleanup).</summary>
    private static void RemoveStale()
    {
        const string folder = "/run/netns";
        if (!Directory.Exists(folder)) return;
        foreach (var path in Directory.GetFiles(folder, Prefix + "*"))
        {
            var name = Path.GetFileName(path);
            var pid = name[Prefix.Length..].Split('-')[0];
            if (!int.TryParse(pid, NumberStyles.None, CultureInfo.InvariantCulture, out var owner) || Directory.Exists($"/proc/{owner}")) continue;
            Ip("netns", "delete", name);
        }
    }

    /// <summary>Runs <c>ip ARGS</c>; throws with its error and what this helper needs when it fails.</summary>
    private static void Ip(params string[] args)
    {
        var info = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args) info.ArgumentList.Add(arg);
        var line = "ip " + string.Join(' ', args);
        Process process;
        try
        {
            process = Process.Start(info)!;
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException($"network namespaces: cannot run `{line}` ({e.Message}): the partition tests need iproute2's ip " +
                                                "(Debian: apt-get install iproute2; .ci/run installs it) and root with CAP_NET_ADMIN", e);
        }
        using (process)
        {
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEndAsync();
            if (!process.WaitForExit(IpBound))
            {
                process.Kill();
                throw new InvalidOperationException($"network namespaces: `{line}` did not finish within {IpBound.TotalSeconds:0} s");
            }
            process.WaitForExit();
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"network namespaces: `{line}` failed (exit {process.ExitCode}): {stderr.Result.Trim()} {stdout.Result.Trim()}; " +
                                                    "the partition tests need root with CAP_NET_ADMIN and a kernel with network namespaces, veth and bridge");
        }
    }
}
