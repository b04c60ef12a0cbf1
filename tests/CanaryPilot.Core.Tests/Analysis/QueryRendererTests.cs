using CanaryPilot.Core.Analysis;

namespace CanaryPilot.Core.Tests.Analysis;

public sealed class QueryRendererTests
{
    private static QueryRendering Render(string template, string value) =>
        QueryRenderer.Render(template, new Dictionary<string, string?> { ["workload"] = value, ["interval"] = "1m" });

    [Theory]
    [InlineData("reviews-v2", "x{w=\"reviews-v2\"}")]
    [InlineData("a\"}b", "x{w=\"a\\\"}b\"}")]
    [InlineData(@"a\b", @"x{w=""a\\b""}")]
    [InlineData("a|b.*", "x{w=\"a|b.*\"}")]
    [InlineData("line\nbreak", @"x{w=""line\nbreak""}")]
    [InlineData("bell\a", @"x{w=""bell\u0007""}")]
    public void Render_InDoubleQuotedEqualityMatcher_EscapesOnlyTheStringLiteral(string value, string expected)
    {
        Assert.Equal(expected, Render("x{w=\"{{ workload }}\"}", value).Query);
    }

    [Theory]
    [InlineData("x{w=~\"{{ workload }}\"}", "a|b.*", @"x{w=~""a\\|b\\.\\*""}")]
    [InlineData("x{w !~ \"{{ workload }}\"}", ".*", @"x{w !~ ""\\.\\*""}")]
    [InlineData("x{w=~\"{{ workload }}\"}", "a\"}(b)", @"x{w=~""a\""\\}\\(b\\)""}")]
    [InlineData("x{w=~\"{{ workload }}\"}", @"a\d", @"x{w=~""a\\\\d""}")]
    [InlineData("x{w=~'{{ workload }}'}", "it's [x]", @"x{w=~'it\'s \\[x\\]'}")]
    [InlineData("x{w=~`{{ workload }}`}", "a.b+", @"x{w=~`a\.b\+`}")]
    public void Render_InRegexMatcher_MatchesTheValueLiterally(string template, string value, string expected)
    {
        Assert.Equal(expected, Render(template, value).Query);
    }

    [Fact]
    public void Render_InSingleQuotedString_EscapesTheSingleQuoteAndKeepsDoubleQuotes()
    {
        Assert.Equal(@"x{w='say \'hi\' ""now""'}", Render("x{w='{{ workload }}'}", "say 'hi' \"now\"").Query);
    }

    [Fact]
    public void Render_EscapedQuoteInsideTemplateString_DoesNotEndTheString()
    {
        Assert.Equal(@"x{w=""q\""a\""b""}", Render(@"x{w=""q\""{{ workload }}""}", "a\"b").Query);
    }

    [Fact]
    public void Render_SecondStringAfterRegexString_IsPlainAgain()
    {
        Assert.Equal(@"x{a=~""\\."", b="".""}", Render(@"x{a=~""{{ workload }}"", b=""{{ workload }}""}", ".").Query);
    }

    [Theory]
    [InlineData("reviews-v2 ) or vector(1")]
    [InlineData("1m]) or vector(1) #")]
    [InlineData("")]
    public void Render_UnsafeValueOutsideQuotes_IsRefused(string value)
    {
        var rendering = Render("rate(x[{{ workload }}])", value);

        Assert.Null(rendering.Query);
        Assert.StartsWith("{{ workload }} stands outside quotes", rendering.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1m30s")]
    [InlineData("0.95")]
    [InlineData("job:requests:rate5m")]
    public void Render_NumberDurationOrNameOutsideQuotes_IsWrittenAsIs(string value)
    {
        Assert.Equal($"f({value})", Render("f({{ workload }})", value).Query);
    }

    [Fact]
    public void Render_BacktickInRawString_IsRefused()
    {
        Assert.NotNull(Render("x{w=`{{ workload }}`}", "a`b").Problem);
    }

    [Fact]
    public void Render_LineBreakInComment_IsRefused()
    {
        Assert.NotNull(Render("x # for {{ workload }}\n", "a\nvector(1)").Problem);
        Assert.Equal("x # for a b", Render("x # for {{ workload }}\n", "a b").Query);
    }

    [Fact]
    public void Render_CommentEndsAtLineBreak_SoTheNextLineIsCodeAgain()
    {
        Assert.NotNull(Render("x # a \"comment\n+ y[{{ workload }}]", "5m)").Problem);
    }

    [Fact]
    public void Render_VariableWithoutValue_IsAProblem()
    {
        var rendering = QueryRenderer.Render("x{v=\"{{ version }}\"}", new Dictionary<string, string?> { ["version"] = null });

        Assert.Equal("{{ version }} has no value", rendering.Problem);
    }

    [Fact]
    public void Render_SpacesInsideBraces_DoNotMatter()
    {
        Assert.Equal("x[1m]", Render("x[{{interval}}]", "w").Query);
    }

    [Theory]
    [InlineData(60, "1m")]
    [InlineData(90, "1m30s")]
    [InlineData(7200, "2h")]
    [InlineData(3661, "1h1m1s")]
    [InlineData(1.5, "1500ms")]
    [InlineData(172800, "48h")]
    public void FormatDuration_WritesPromQlDurations(double seconds, string expected)
    {
        Assert.Equal(expected, PromQl.FormatDuration(TimeSpan.FromSeconds(seconds)));
    }
}
