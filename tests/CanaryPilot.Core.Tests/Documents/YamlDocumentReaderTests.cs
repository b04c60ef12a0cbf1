using CanaryPilot.Core.Diagnostics;
using CanaryPilot.Core.Documents;

namespace CanaryPilot.Core.Tests.Documents;

public sealed class YamlDocumentReaderTests
{
    private static InputSet Read(string text) => new InputLoader().LoadText("in.yaml", text);

    [Fact]
    public void Read_ScalarInNestedMapping_KeepsOneBasedLineAndColumn()
    {
        var input = Read("a:\n  b:\n    - x\n    - yz\n");

        var b = Assert.IsType<SequenceNode>(Assert.Single(input.Documents).Root.Mapping("a")!["b"]);

        Assert.Equal(new SourcePosition(4, 7), b.Items[1].Position);
    }

    [Fact]
    public void Read_MultiDocumentFile_ReturnsEveryNonEmptyDocument()
    {
        var input = Read("kind: A\n---\n---\nkind: B\n...\n---\nkind: C\n");

        Assert.Equal(["A", "B", "C"], input.Documents.Select(d => d.Kind));
    }

    [Fact]
    public void Read_QuotedAndPlainScalars_AreToldApart()
    {
        var root = Assert.Single(Read("a: 5\nb: \"5\"\nc: ~\n").Documents).Root;

        Assert.True(((ScalarNode)root["a"]!).IsPlain);
        Assert.False(((ScalarNode)root["b"]!).IsPlain);
        Assert.True(((ScalarNode)root["c"]!).IsNull);
    }

    [Fact]
    public void Read_AliasToAnchor_SharesTheAnchoredNode()
    {
        var root = Assert.Single(Read("base: &b {x: 1}\ncopy: *b\n").Documents).Root;

        Assert.Same(root["base"], root["copy"]);
    }

    [Fact]
    public void Read_MergeKey_TakesMissingKeysAndKeepsExplicitOnes()
    {
        var root = Assert.Single(Read("base: &b {x: 1, y: 2}\nderived:\n  <<: *b\n  y: 3\n").Documents).Root;

        var derived = root.Mapping("derived")!;

        Assert.Equal(("1", "3"), (derived.Scalar("x"), derived.Scalar("y")));
    }

    [Theory]
    [InlineData("a: 1\na: 2\n", "in.yaml:2:1: a: duplicate key (first at 1:1)")]
    [InlineData("a: *nowhere\n", "in.yaml:1:4: unknown alias *nowhere")]
    [InlineData("a: [1, 2\n", "in.yaml:2:1: invalid YAML: While parsing a flow sequence, did not find expected ',' or ']'.")]
    [InlineData("a: [1, 2\nb: 3\n", "in.yaml:1:5: invalid YAML: unexpected content after this point (an unclosed [ or {?)")]
    [InlineData("a: 1\nb:\n\tc: 2\n", "in.yaml:3:1: invalid YAML: While scanning a mapping, found invalid tab as indentation.")]
    [InlineData("? [a, b]\n: c\n", "in.yaml:1:3: mapping keys must be strings")]
    [InlineData("- a\n- b\n", "in.yaml:1:1: expected a resource (a mapping with apiVersion and kind), found a list")]
    [InlineData("# only a comment\n", "in.yaml: file holds no documents")]
    [InlineData("  \n\n", "in.yaml: file is empty")]
    public void Read_MalformedInput_GivesOneLineWithItsPosition(string text, string expected)
    {
        var diagnostic = Assert.Single(Read(text).Diagnostics);

        Assert.Equal(expected, diagnostic.ToString());
    }

    [Fact]
    public void Read_AliasBomb_IsRefusedBeforeItExpands()
    {
        var lines = new List<string> { "a0: &a0 [x, x, x, x, x, x, x, x, x, x]" };
        for (var i = 1; i < 12; i++)
        {
            lines.Add($"a{i}: &a{i} [{string.Join(", ", Enumerable.Repeat($"*a{i - 1}", 10))}]");
        }

        var diagnostic = Assert.Single(Read(string.Join('\n', lines)).Diagnostics);

        Assert.Equal("in.yaml:6:45: document expands to more than 1,000,000 nodes (aliases repeated without bound?)", diagnostic.ToString());
    }

    [Fact]
    public void Read_NestingDeeperThanTheLimit_IsRefused()
    {
        var diagnostic = Assert.Single(Read(new string('[', 10_000) + new string(']', 10_000)).Diagnostics);

        Assert.Equal("in.yaml:1:101: nesting deeper than 100 levels", diagnostic.ToString());
    }

    [Fact]
    public void Read_JsonIndentedWithTabs_KeepsColumns()
    {
        var root = Assert.Single(Read("{\n\t\"kind\": \"VirtualService\",\n\t\"spec\": {\"hosts\": [\"reviews\"]}\n}\n").Documents).Root;

        Assert.Equal(new SourcePosition(3, 21), ((SequenceNode)root.Mapping("spec")!["hosts"]!).Items[0].Position);
    }

    [Fact]
    public void Read_KubernetesList_YieldsItsItems()
    {
        var input = Read("apiVersion: v1\nkind: List\nitems:\n  - {apiVersion: v1, kind: Service}\n  - {apiVersion: v1, kind: ConfigMap}\n");

        Assert.Equal(["Service", "ConfigMap"], input.Documents.Select(d => d.Kind));
    }
}
