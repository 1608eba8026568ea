using Akka.Configuration.Hocon;

namespace Actors.Configuration;

/// <summary>
/// Finds the substitutions Akka would follow forever or too deep. Akka resolves <c>${path}</c> by pointing it
/// at the value there, and every later read (a string, "is this an object?") follows the pointers recursively:
/// a substitution that leads back to itself recurses until the stack overflows, which kills the process. The
/// parsed values form a graph (objects and lists hold values, a substitution points at one); this walks it
/// without recursion and rejects a cycle, or a path longer than a read may safely recurse.
/// </summary>
internal static class SubstitutionCheck
{
    /// <summary>The longest path a read may follow: the file's own nesting plus as much again through substitutions.</summary>
    public const int MaxPath = 2 * ConfigLimits.MaxDepth;

    /// <summary>The first problem found, with the substitution to locate it by (null only if Akka ever made a cycle of its own).</summary>
    public static (HoconSubstitution? Substitution, string Message)? Find(HoconValue root)
    {
        // Height of every finished value (the longest path below it), so a value reached twice is walked once.
        var height = new Dictionary<HoconValue, int>(ReferenceEqualityComparer.Instance);
        var onPath = new HashSet<HoconValue>(ReferenceEqualityComparer.Instance);
        var path = new Stack<Frame>();
        path.Push(new Frame(root, null));
        onPath.Add(root);
        while (path.TryPeek(out var frame))
        {
            if (!frame.Children.MoveNext())
            {
                path.Pop();
                onPath.Remove(frame.Value);
                height[frame.Value] = frame.Height;
                if (path.TryPeek(out var parent))
                    parent.Height = Math.Max(parent.Height, frame.Height + 1);
                continue;
            }
            var (child, via) = frame.Children.Current;
            if (onPath.Contains(child))
            {
                var loop = via ?? Nearest(path);
                return (loop, $"the substitution ${{{loop?.Path}}} refers to itself (directly or through others)");
            }
            if (height.TryGetValue(child, out var below))
            {
                frame.Height = Math.Max(frame.Height, below + 1);
                if (path.Count + below > MaxPath)
                    return TooDeep(via ?? Nearest(path));
                continue;
            }
            if (path.Count + 1 > MaxPath)
                return TooDeep(via ?? Nearest(path));
            path.Push(new Frame(child, via));
            onPath.Add(child);
        }
        return null;
    }

    private static (HoconSubstitution?, string) TooDeep(HoconSubstitution? substitution) =>
        (substitution, $"values reached through substitutions nest deeper than {MaxPath} levels (from ${{{substitution?.Path}}}); write the values out");

    // The substitution through which the walk last entered the current path; the file's own nesting is bounded,
    // so a cycle or an over-long path always passes one.
    private static HoconSubstitution? Nearest(Stack<Frame> path) => path.Select(f => f.Via).FirstOrDefault(v => v is not null);

    private sealed class Frame(HoconValue value, HoconSubstitution? via)
    {
        public HoconValue Value { get; } = value;
        public HoconSubstitution? Via { get; } = via;
        public int Height { get; set; } = 1;
        public IEnumerator<(HoconValue Child, HoconSubstitution? Via)> Children { get; } = ChildrenOf(value).GetEnumerator();
    }

    private static IEnumerable<(HoconValue, HoconSubstitution?)> ChildrenOf(HoconValue value)
    {
        foreach (var element in value.Values)
        {
            switch (element)
            {
                case HoconObject obj:
                    foreach (var item in obj.Items.Values)
                        yield return (item, null);
                    break;
                case HoconArray array:
                    foreach (var item in array)
                        yield return (item, null);
                    break;
                case HoconSubstitution { ResolvedValue: { } target } substitution:
                    yield return (target, substitution);
                    break;
            }
        }
    }
}
