namespace CanaryPilot.Core.Tests;

/// <summary>Paths of the test fixtures copied beside the test assembly.</summary>
internal static class Fixture
{
    public static string Root { get; } = System.IO.Path.Combine(AppContext.BaseDirectory, "Fixtures");

    public static string Repository => CanaryPilot.Testing.Repository.Root;

    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);
}
