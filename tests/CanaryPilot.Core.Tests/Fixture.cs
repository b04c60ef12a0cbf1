namespace CanaryPilot.Core.Tests;

/// <summary>Paths of the test fixtures copied beside the test assembly, and of the repository.</summary>
internal static class Fixture
{
    public static string Root { get; } = System.IO.Path.Combine(AppContext.BaseDirectory, "Fixtures");

    public static string Repository { get; } = FindRepository();

    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    private static string FindRepository()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, "CanaryPilot.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("CanaryPilot.sln not found above the test assembly");
    }
}
