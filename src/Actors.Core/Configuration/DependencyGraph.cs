namespace Actors.Configuration;

/// <summary>
/// The <c>depends-on</c> relations among the declared processes: their validation (unknown names, a process
/// depending on itself, cycles) and the orders that follow from them. Start order puts every dependency before
/// its dependents and keeps the declaration order among independent processes; stops go in waves
/// (<see cref="StopWaves"/>), the one order of the node's shutdown and of an operator's stop of several.
/// </summary>
public static class DependencyGraph
{
    /// <summary>
    /// Reports what makes the graph unusable, each problem once at the key that declares it: an unknown name (with
    /// "did you mean"), a process depending on itself, and each cycle with its members in order.
    /// </summary>
    internal static void Check(IReadOnlyList<ProcessSettings> processes, Diagnostics d)
    {
        var byName = ByName(processes);
        foreach (var process in processes)
        {
            foreach (var dependency in process.DependsOn)
            {
                var path = $"actors.processes.{process.Name}.depends-on.{dependency.Name}";
                if (dependency.Name == process.Name)
                    d.Error(path, $"{process.Name} depends on itself, so it could never start; remove this line");
                else if (!byName.TryGetValue(dependency.Name, out var target))
                    d.Error(path, UnknownName(dependency.Name, processes));
                else if (dependency.Condition is DependencyCondition.Completed or DependencyCondition.Exited && target.Kind == ProcessKind.Service && target.Restart == RestartPolicy.Always)
                    d.Warn(path, $"{dependency.Name} is a service with restart = always, so it never {(dependency.Condition == DependencyCondition.Completed ? "completes" : "exits for good")} " +
                                 $"and {process.Name} would wait until it fails; use started or ready, or make {dependency.Name} a job (kind = job)");
            }
        }
        foreach (var cycle in Cycles(processes))
        {
            var path = $"actors.processes.{cycle[0]}.depends-on.{cycle[1]}";
            d.Error(path, $"is part of the dependency cycle {string.Join(" → ", cycle)}; none of these could ever start, remove one of these dependencies");
        }
    }

    private static string UnknownName(string name, IReadOnlyList<ProcessSettings> processes)
    {
        var known = processes.Select(p => p.Name).ToList();
        var near = KeyChecker.Suggest(name, known);
        return near is not null
            ? $"{name} is not a declared process; did you mean {near}?"
            : $"{name} is not a declared process; declared processes: {(known.Count == 0 ? "none" : string.Join(", ", known))}";
    }

    /// <summary>
    /// One cycle per group of processes that depend on each other in a circle (a strongly connected component),
    /// written from its earliest declared member back to it: <c>[web, api, db, web]</c>. Self-dependencies are
    /// not cycles here (<see cref="Check"/> names them on their own).
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<string>> Cycles(IReadOnlyList<ProcessSettings> processes)
    {
        var index = Indexes(processes);
        var cycles = new List<IReadOnlyList<string>>();
        foreach (var component in StronglyConnected(processes, index).Where(c => c.Count > 1))
        {
            var members = component.ToHashSet();
            var first = component.MinBy(n => index[n])!;
            cycles.Add(ShortestCycleThrough(first, members, ByName(processes)));
        }
        return cycles.OrderBy(c => index[c[0]]).ToList();
    }

    /// <summary>
    /// Dependencies first, declaration order among processes that do not depend on each other. Tolerates what
    /// validation rejects (code-built settings): unknown names are ignored, and the members of a cycle follow the
    /// others in declaration order.
    /// </summary>
    public static IReadOnlyList<ProcessSettings> StartOrder(IReadOnlyList<ProcessSettings> processes)
    {
        var index = Indexes(processes);
        var waitingFor = processes.ToDictionary(p => p.Name, p => KnownDependencies(p, index).Count());
        var dependents = Dependents(processes, index);
        var ready = new SortedSet<int>(processes.Where(p => waitingFor[p.Name] == 0).Select(p => index[p.Name]));
        var order = new List<ProcessSettings>(processes.Count);
        while (ready.Count > 0)
        {
            var next = processes[ready.Min];
            ready.Remove(ready.Min);
            order.Add(next);
            foreach (var dependent in dependents[next.Name])
            {
                if (--waitingFor[dependent] == 0) ready.Add(index[dependent]);
            }
        }
        var placed = order.Select(p => p.Name).ToHashSet();
        order.AddRange(processes.Where(p => !placed.Contains(p.Name)));
        return order;
    }

    /// <summary>The reverse of <see cref="StartOrder"/>: dependents first.</summary>
    public static IReadOnlyList<ProcessSettings> StopOrder(IReadOnlyList<ProcessSettings> processes) =>
        StartOrder(processes).Reverse().ToList();

    /// <summary>
    /// The <paramref name="targets"/> in waves for a stop of several processes at once: a target is in a later wave
    /// than every target that depends on it, directly or through processes that are not stopped, so each wave can
    /// stop in parallel once the waves before it are done. Within a wave, declaration order.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<string>> StopWaves(IReadOnlyList<ProcessSettings> processes, IReadOnlyCollection<string> targets)
    {
        var targeted = targets.ToHashSet();
        var index = Indexes(processes);
        var dependents = Dependents(processes, index);
        // height = how many targeted dependents stand above a process on its longest chain of dependents.
        var height = new Dictionary<string, int>();
        foreach (var process in StopOrder(processes))
        {
            height[process.Name] = dependents[process.Name]
                .Select(q => height.TryGetValue(q, out var h) ? h + (targeted.Contains(q) ? 1 : 0) : 0)
                .DefaultIfEmpty(0).Max();
        }
        return processes.Where(p => targeted.Contains(p.Name))
            .GroupBy(p => height[p.Name])
            .OrderBy(g => g.Key)
            .Select(g => (IReadOnlyList<string>)g.Select(p => p.Name).ToList())
            .ToList();
    }

    private static Dictionary<string, ProcessSettings> ByName(IReadOnlyList<ProcessSettings> processes)
    {
        var byName = new Dictionary<string, ProcessSettings>(StringComparer.Ordinal);
        foreach (var p in processes) byName.TryAdd(p.Name, p);
        return byName;
    }

    private static Index Indexes(IReadOnlyList<ProcessSettings> processes)
    {
        var index = new Index();
        for (var i = 0; i < processes.Count; i++)
        {
            index.TryAdd(processes[i].Name, i);
            if (!index.Members.TryGetValue(processes[i].Group, out var members))
                index.Members[processes[i].Group] = members = [];
            members.Add(processes[i].Name);
        }
        return index;
    }

    /// <summary>Position of each process by name, and the processes of each declared name (its replicas).</summary>
    private sealed class Index() : Dictionary<string, int>(StringComparer.Ordinal)
    {
        public Dictionary<string, List<string>> Members { get; } = new(StringComparer.Ordinal);
    }

    /// <summary>
    /// The distinct processes a process depends on, other than itself: a dependency on a declared name is one on
    /// each of its replicas.
    /// </summary>
    private static IEnumerable<string> KnownDependencies(ProcessSettings process, Index index) =>
        process.DependsOn.SelectMany(d => index.Members.GetValueOrDefault(d.Name) ?? (index.ContainsKey(d.Name) ? [d.Name] : []))
            .Where(n => n != process.Name).Distinct();

    private static Dictionary<string, List<string>> Dependents(IReadOnlyList<ProcessSettings> processes, Index index)
    {
        var dependents = processes.Select(p => p.Name).Distinct().ToDictionary(n => n, _ => new List<string>());
        foreach (var process in processes)
        {
            foreach (var dependency in KnownDependencies(process, index)) dependents[dependency].Add(process.Name);
        }
        return dependents;
    }

    /// <summary>Tarjan's algorithm, iterative so that a long chain of dependencies cannot overflow the stack.</summary>
    private static List<List<string>> StronglyConnected(IReadOnlyList<ProcessSettings> processes, Index index)
    {
        var edges = processes.GroupBy(p => p.Name).ToDictionary(g => g.Key, g => KnownDependencies(g.First(), index).ToList());
        var number = new Dictionary<string, int>();
        var low = new Dictionary<string, int>();
        var onStack = new HashSet<string>();
        var stack = new Stack<string>();
        var components = new List<List<string>>();
        var counter = 0;
        foreach (var root in edges.Keys)
        {
            if (number.ContainsKey(root)) continue;
            var work = new Stack<(string Node, int Edge)>();
            work.Push((root, 0));
            number[root] = low[root] = counter++;
            stack.Push(root);
            onStack.Add(root);
            while (work.Count > 0)
            {
                var (node, edge) = work.Pop();
                if (edge < edges[node].Count)
                {
                    work.Push((node, edge + 1));
                    var next = edges[node][edge];
                    if (!number.ContainsKey(next))
                    {
                        number[next] = low[next] = counter++;
                        stack.Push(next);
                        onStack.Add(next);
                        work.Push((next, 0));
                    }
                    else if (onStack.Contains(next))
                        low[node] = Math.Min(low[node], number[next]);
                    continue;
                }
                if (low[node] == number[node])
                {
                    var component = new List<string>();
                    string member;
                    do
                    {
                        member = stack.Pop();
                        onStack.Remove(member);
                        component.Add(member);
                    } while (member != node);
                    components.Add(component);
                }
                if (work.Count > 0)
                {
                    var parent = work.Peek().Node;
                    low[parent] = Math.Min(low[parent], low[node]);
                }
            }
        }
        return components;
    }

    /// <summary>Breadth-first along depends-on inside one component, so the cycle named is a shortest one.</summary>
    private static List<string> ShortestCycleThrough(string start, HashSet<string> members, Dictionary<string, ProcessSettings> byName)
    {
        var cameFrom = new Dictionary<string, string>();
        var queue = new Queue<string>([start]);
        while (queue.Count > 0)
        {
            var node = queue.Dequeue();
            foreach (var next in byName[node].DependsOn.Select(d => d.Name).Where(members.Contains))
            {
                if (next == start)
                {
                    var path = new List<string> { start };
                    for (var at = node; at != start; at = cameFrom[at]) path.Insert(1, at);
                    path.Add(start);
                    return path;
                }
                if (next != node && cameFrom.TryAdd(next, node)) queue.Enqueue(next);
            }
        }
        return [start, start]; // not reached: every member of a component lies on a cycle through the others
    }
}
