namespace CanaryPilot.Sandbox.Tests;

internal static class Repository
{
    public static string Root { get; } = Find();

    private static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "CanaryPilot.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("CanaryPilot.sln not found above the test assembly");
    }
}
