namespace Actors.Configuration;

internal sealed partial class ProcessReader
{
    private const string PlacementHint = "write placement = local, placement = singleton or placement { role = \"db\" }";

    /// <summary><c>placement</c>: local (the default), singleton, or an object naming the role whose nodes run it.</summary>
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
        foreach (var key in items.Keys.Where(k => k != "role"))
            D.Error($"{path}.{key}", $"unknown key; a placement object has one key, role ({PlacementHint})");
        if (!items.TryGetValue("role", out var role) || !LayeredReader.IsScalar(role) || string.IsNullOrEmpty(role.GetString()))
        {
            D.Error($"{path}.role", $"is missing or not a role name; {PlacementHint}");
            return Placement.Local;
        }
        return new RolePlacement(role.GetString());
    }
}
