namespace CanaryPilot.Core.Binding;

/// <summary>Builds the field paths findings speak in: <c>spec.stages[2].weight</c>.</summary>
public static class FieldPath
{
    public static string Field(string parent, string name) => parent.Length == 0 ? name : $"{parent}.{name}";

    public static string Index(string parent, int index) => $"{parent}[{index}]";
}
