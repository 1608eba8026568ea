namespace Actors.Configuration;

internal sealed partial class ProcessReader
{
    private const string PlacementHint = "write placement = local, placement = singleton, placement { role = \"db\" } or placement { role = \"db\", singleton = on }";

    /// <summary>
    /// <c>placement</c>: local (the default), singleton, or an object naming the role whose nodes run it, with
    /// <c>singleton = on</c> for one copy among the nodes of that role.
    /// </summary>
    private Placement ReadPlacement()
    {
        if (r.Find("placement") is not var (value, layer))
            return Placement.Local;
        var path = r.PathOf(layer, "placement");
        if (!value.IsObject())
        {
            var text = LayeredReader.IsScalar(value) ? value.GetString() ?? "" : null;
            switch (text)
            {
                case "local": return Placement.Local;
                case "singleton": return Placement.Singleton;
                default:
                    D.Error(path, $"{(text is null ? LayeredReader.Describe(value) : $"\"{text}\"")} is not a placement; {PlacementHint}");
                    return Placement.Local;
            }
        }
        var items = value.GetObject().Items;
        foreach (var key in items.Keys.Where(k => k is not ("role" or "singleton")))
            D.Error($"{path}.{key}", $"unknown key; a placement object has role and singleton ({PlacementHint})");
        var singleton = false;
        if (items.TryGetValue("singleton", out var flag))
        {
            if (!LayeredReader.IsScalar(flag) || !HoconScalars.TryBool(flag.GetString() ?? "", out singleton))
                D.Error($"{path}.singleton", $"{LayeredReader.Describe(flag)} is not on or off; {HoconScalars.BoolHint}");
        }
        if (!items.TryGetValue("role", out var role))
        {
            if (singleton) return Placement.Singleton;
            D.Error($"{path}.role", $"is missing; {PlacementHint}");
            return Placement.Local;
        }
        if (!LayeredReader.IsScalar(role) || string.IsNullOrEmpty(role.GetString()))
        {
            D.Error($"{path}.role", $"{LayeredReader.Describe(role)} is not a role name; {PlacementHint}");
            return Placement.Local;
        }
        return singleton ? new SingletonPlacement(role.GetString()) : new RolePlacement(role.GetString());
    }
}
