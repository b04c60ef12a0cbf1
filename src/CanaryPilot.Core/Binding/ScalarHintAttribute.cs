namespace CanaryPilot.Core.Binding;

/// <summary>The message given when a single value is written where this type's mapping belongs.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class ScalarHintAttribute(string hint) : Attribute
{
    public string Hint { get; } = hint;
}
