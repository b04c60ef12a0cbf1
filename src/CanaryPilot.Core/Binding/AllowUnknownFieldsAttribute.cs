namespace CanaryPilot.Core.Binding;

/// <summary>
/// Marks a type whose mapping may carry fields CanaryPilot does not read, such as the server-set
/// parts of Kubernetes metadata. Everywhere else an unknown field is an error.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class AllowUnknownFieldsAttribute : Attribute;
