namespace CanaryPilot.Testing;

/// <summary>The repository the tests run from, found by walking up to CanaryPilot.sln. Linked into every test project.</summary>
internal static class Repository
{
    public static string Root { get; } = Find();

    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    private static string Find()
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
