"""A private network for real nodes, as the tests' NetworkNamespaces (tests/Actors.Integration.Tests/Cluster/): each
node in a network namespace of its own, joined by a veth pair to a bridge in a further "hub" namespace, so one node
can be cut off (its veth end in the hub set down: packets lost, no RST) and healed without touching the host's
network. Interfaces live inside the namespaces (br0 and v1..vN in the hub, eth0 with 10.250.0.I/24 in each node's).
Names: actn-PID-K-hub and actn-PID-K-I; those of a run killed before its clean-up (a PID that no longer runs) are
removed first. Needs root (CAP_NET_ADMIN) and iproute2's ip."""
import itertools, os, subprocess

PREFIX = "actn-"
_counter = itertools.count(1)


def ip(*args):
    try:
        r = subprocess.run(["ip", *args], capture_output=True, text=True, timeout=60)
    except FileNotFoundError:
        raise SystemExit("netns: `ip` is missing: install iproute2 (Debian: apt-get install iproute2)")
    if r.returncode != 0:
        raise SystemExit("netns: `ip %s` failed (exit %d): %s; network namespaces need root with CAP_NET_ADMIN"
                         % (" ".join(args), r.returncode, (r.stderr + r.stdout).strip()))


def remove_stale():
    folder = "/run/netns"
    if not os.path.isdir(folder):
        return
    for name in os.listdir(folder):
        if not name.startswith(PREFIX):
            continue
        pid = name[len(PREFIX):].split("-")[0]
        if pid.isdigit() and not os.path.exists("/proc/%s" % pid):
            ip("netns", "delete", name)


class Network:
    def __init__(self, count):
        remove_stale()
        stem = "%s%d-%d" % (PREFIX, os.getpid(), next(_counter))
        self.hub = stem + "-hub"
        self.nodes = ["%s-%d" % (stem, i + 1) for i in range(count)]
        self.made = []
        try:
            self._add(self.hub)
            ip("-n", self.hub, "link", "add", "br0", "type", "bridge")
            ip("-n", self.hub, "link", "set", "br0", "up")
            for i, ns in enumerate(self.nodes):
                self._add(ns)
                ip("-n", ns, "link", "set", "lo", "up")
                ip("-n", self.hub, "link", "add", "v%d" % (i + 1), "type", "veth", "peer", "name", "eth0", "netns", ns)
                ip("-n", self.hub, "link", "set", "v%d" % (i + 1), "master", "br0", "up")
                ip("-n", ns, "addr", "add", "%s/24" % self.address(i), "dev", "eth0")
                ip("-n", ns, "link", "set", "eth0", "up")
        except BaseException:
            self.close()
            raise

    def _add(self, ns):
        ip("netns", "add", ns)
        self.made.append(ns)

    @staticmethod
    def address(i):
        return "10.250.0.%d" % (i + 1)

    def inside(self, i):
        """The command prefix that runs a program in node i's namespace (ip execs it in place: same pid)."""
        return ["ip", "netns", "exec", self.nodes[i]]

    def cut(self, i):
        ip("-n", self.hub, "link", "set", "v%d" % (i + 1), "down")

    def heal(self, i):
        ip("-n", self.hub, "link", "set", "v%d" % (i + 1), "up")

    def close(self):
        """Removes the namespaces (stop the processes inside first: a namespace lives on while one is inside)."""
        for ns in reversed(self.made):
            subprocess.run(["ip", "netns", "delete", ns], capture_output=True)
        self.made = []
