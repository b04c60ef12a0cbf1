using System.Text.RegularExpressions;

namespace CanaryPilot.Tests.Deploy;

/// <summary>
/// The Dockerfile read as Docker reads it (no Docker engine runs here): its stages, what the
/// controller image runs as and starts, and that what it copies exists.
/// </summary>
public sealed partial class DockerfileTests
{
    private static readonly List<Stage> Stages = Parse(File.ReadAllText(Repository.Path("Dockerfile")));

    private sealed record Instruction(string Keyword, string Arguments);

    private sealed record Stage(string Image, string Name, List<Instruction> Instructions)
    {
        public IEnumerable<string> All(string keyword) => Instructions.Where(i => i.Keyword == keyword).Select(i => i.Arguments);
    }

    [Fact]
    public void Stages_BuildWithTheSdk_AndEndInTheDistrolessControllerImage()
    {
        Assert.Equal(["build", "cli", "controller"], Stages.Select(s => s.Name));
        Assert.StartsWith("mcr.microsoft.com/dotnet/sdk:", Stages[0].Image, StringComparison.Ordinal);

        // The last stage is what a plain `docker build` produces: the controller.
        var controller = Stages[^1];
        Assert.Matches(@"^mcr\.microsoft\.com/dotnet/aspnet:[\w.-]*chiseled", controller.Image);
        Assert.Empty(controller.All("RUN")); // a chiseled image has no shell to run anything with
        Assert.Equal(["--from=build /app /app"], controller.All("COPY"));
    }

    [Fact]
    public void Controller_RunsAsTheNonRootUserTheDeploymentDeclares()
    {
        var user = Assert.Single(Stages[^1].All("USER"));
        var match = NumericUser().Match(user);
        Assert.True(match.Success, $"USER {user} must be numeric, so Kubernetes can check runAsNonRoot");
        Assert.NotEqual("0", match.Groups["uid"].Value);

        var pod = InstallManifest.Committed().Single("Deployment", "canarypilot")["spec"]!["template"]!["spec"]!;
        Assert.Equal(match.Groups["uid"].Value, pod["securityContext"]!["runAsUser"]!.ToString());
        Assert.Equal(match.Groups["gid"].Value, pod["securityContext"]!["runAsGroup"]!.ToString());
    }

    [Fact]
    public void Controller_StartsThePublishedProgram_AndServesByDefault()
    {
        var controller = Stages[^1];
        Assert.Equal("[\"/app/canarypilot\"]", Assert.Single(controller.All("ENTRYPOINT")));
        Assert.Equal("[\"serve\"]", Assert.Single(controller.All("CMD")));
        Assert.Contains("8080", Assert.Single(controller.All("EXPOSE")), StringComparison.Ordinal);

        var publish = Assert.Single(Stages[0].All("RUN"), r => r.StartsWith("dotnet publish", StringComparison.Ordinal));
        Assert.Contains("src/CanaryPilot/CanaryPilot.csproj", publish, StringComparison.Ordinal);
        Assert.Contains("-o /app", publish, StringComparison.Ordinal);
    }

    [Fact]
    public void Publish_IsReadyToRunAndFrameworkDependent_AndRestoresWhatItPublishes()
    {
        var build = Stages[0];
        var restore = Assert.Single(build.All("RUN"), r => r.StartsWith("dotnet restore", StringComparison.Ordinal));
        var publish = Assert.Single(build.All("RUN"), r => r.StartsWith("dotnet publish", StringComparison.Ordinal));
        Assert.Contains("-p:PublishReadyToRun=true", publish, StringComparison.Ordinal);
        Assert.Contains("--self-contained false", publish, StringComparison.Ordinal);
        Assert.DoesNotContain("PublishTrimmed", publish, StringComparison.Ordinal); // it breaks the program: docs/deployment.md
        Assert.Contains("--no-restore", publish, StringComparison.Ordinal);
        Assert.Contains("-p:PublishReadyToRun=true", restore, StringComparison.Ordinal);
        Assert.Contains("-a $TARGETARCH", restore, StringComparison.Ordinal);
        Assert.Contains("-a $TARGETARCH", publish, StringComparison.Ordinal);
    }

    [Fact]
    public void BuildStage_CopiesEveryProjectBeforeTheRestore_AndEverythingItCopiesExists()
    {
        var build = Stages[0];
        var beforeRestore = build.Instructions.TakeWhile(i => !(i.Keyword == "RUN" && i.Arguments.StartsWith("dotnet restore", StringComparison.Ordinal)))
            .Where(i => i.Keyword == "COPY").SelectMany(i => Sources(i.Arguments)).ToHashSet(StringComparer.Ordinal);
        var projects = Directory.GetFiles(Repository.Path("src"), "*.csproj", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(Repository.Root, p).Replace('\\', '/'));
        Assert.All(projects, project => Assert.Contains(project, beforeRestore));

        foreach (var source in build.All("COPY").SelectMany(Sources))
        {
            Assert.True(File.Exists(Repository.Path(source)) || Directory.Exists(Repository.Path(source)), $"COPY {source}: not in the repository");
        }

        var ignored = File.ReadAllLines(Repository.Path(".dockerignore"));
        Assert.Contains("**/bin/", ignored);
        Assert.Contains("**/obj/", ignored);
    }

    /// <summary>The sources of a COPY (all its words but the last, the destination).</summary>
    private static IEnumerable<string> Sources(string arguments) =>
        arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries) is var words && words[0].StartsWith("--from=", StringComparison.Ordinal) ? [] : words[..^1];

    /// <summary>Instructions with their continuation lines joined, comments and blank lines dropped, grouped by FROM.</summary>
    private static List<Stage> Parse(string text)
    {
        var stages = new List<Stage>();
        var logical = Regex.Replace(text, @"\\\r?\n\s*", " ");
        foreach (var line in logical.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')))
        {
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            var instruction = new Instruction(line[..space].ToUpperInvariant(), line[(space + 1)..].Trim());
            if (instruction.Keyword == "FROM")
            {
                var words = instruction.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(w => !w.StartsWith("--", StringComparison.Ordinal)).ToArray();
                stages.Add(new Stage(words[0], words is [_, "AS" or "as", var name] ? name : "", new List<Instruction>()));
            }
            else if (stages.Count > 0)
            {
                stages[^1].Instructions.Add(instruction);
            }
        }

        return stages;
    }

    [GeneratedRegex(@"^(?<uid>\d+)(:(?<gid>\d+))?$")]
    private static partial Regex NumericUser();
}
