using CanaryPilot.Core.Documents;

namespace CanaryPilot.Core.Tests.Documents;

public sealed class InputLoaderTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("canarypilot-loader-");

    public void Dispose() => _directory.Delete(recursive: true);

    private string Write(string name, byte[] content)
    {
        var path = Path.Combine(_directory.FullName, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content);
        return path;
    }

    private string Write(string name, string content) => Write(name, System.Text.Encoding.UTF8.GetBytes(content));

    [Fact]
    public void Load_MissingPath_SaysSo()
    {
        var missing = Path.Combine(_directory.FullName, "nope.yaml");

        var diagnostic = Assert.Single(new InputLoader().Load([missing]).Diagnostics);

        Assert.Equal($"{missing}: no such file or directory", diagnostic.ToString());
    }

    [Fact]
    public void Load_FileWithNulBytes_IsRefusedAsBinary()
    {
        var path = Write("image.yaml", [0x89, 0x50, 0x4E, 0x47, 0x00, 0x01]);

        var diagnostic = Assert.Single(new InputLoader().Load([path]).Diagnostics);

        Assert.Equal($"{path}: binary file (a NUL byte at offset 4); expected YAML or JSON text", diagnostic.ToString());
    }

    [Fact]
    public void Load_InvalidUtf8_IsRefusedWithItsOffset()
    {
        var path = Write("latin1.yaml", [(byte)'a', (byte)':', (byte)' ', 0xE9, (byte)'\n']);

        var diagnostic = Assert.Single(new InputLoader().Load([path]).Diagnostics);

        Assert.Equal($"{path}: not UTF-8 text (invalid byte at offset 3); expected YAML or JSON", diagnostic.ToString());
    }

    [Fact]
    public void Load_FileAboveTheSizeLimit_IsRefusedUnread()
    {
        var path = Write("huge.yaml", new string('#', 2048));

        var diagnostic = Assert.Single(new InputLoader(new ReaderLimits { MaxFileBytes = 1024 }).Load([path]).Diagnostics);

        Assert.Equal($"{path}: file is 2 KiB; input files may be at most 1 KiB (a Kubernetes object is at most 1.5 MiB)", diagnostic.ToString());
    }

    [Fact]
    public void Load_Directory_ReadsYamlAndJsonRecursivelyInNameOrderAndSkipsOtherFiles()
    {
        Write("b.yaml", "kind: B\n");
        Write("nested/a.yml", "kind: A\n");
        Write("c.json", "{\"kind\": \"C\"}");
        Write("notes.txt", "not yaml: [");

        var input = new InputLoader().Load([_directory.FullName]);

        Assert.Empty(input.Diagnostics);
        Assert.Equal(["B", "C", "A"], input.Documents.Select(d => d.Kind));
    }

    [Fact]
    public void Load_DirectoryOfMixedFiles_ReportsEachBadFileAndKeepsTheGoodOnes()
    {
        Write("good.yaml", "kind: Good\n");
        var broken = Write("broken.yaml", "a: [\n");
        var binary = Write("binary.yaml", [0, 1, 2]);

        var input = new InputLoader().Load([_directory.FullName]);

        Assert.Equal([binary, broken], input.Diagnostics.Select(d => d.File));
        Assert.Equal("Good", Assert.Single(input.Documents).Kind);
    }

    [Fact]
    public void Load_DirectoryWithoutDocuments_SaysSo()
    {
        Write("readme.md", "# hi");

        var diagnostic = Assert.Single(new InputLoader().Load([_directory.FullName]).Diagnostics);

        Assert.Equal($"{_directory.FullName}: directory holds no .yaml, .yml or .json files", diagnostic.ToString());
    }

    [Fact]
    public void Load_ByteOrderMark_IsIgnored()
    {
        var path = Write("bom.yaml", [0xEF, 0xBB, 0xBF, .. "kind: Bom\n"u8.ToArray()]);

        Assert.Equal("Bom", Assert.Single(new InputLoader().Load([path]).Documents).Kind);
    }
}
