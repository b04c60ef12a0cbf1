namespace CanaryPilot.Core.Binding;

/// <summary>Fields that may appear in a mapping and are skipped, such as a resource's <c>status</c>.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class IgnoreFieldsAttribute(params string[] names) : Attribute
{
    public IReadOnlyList<string> Names { get; } = names;
}
