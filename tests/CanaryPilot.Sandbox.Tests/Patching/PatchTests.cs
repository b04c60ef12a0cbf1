using System.Text.Json.Nodes;
using CanaryPilot.Sandbox.KubeApi.Patching;

namespace CanaryPilot.Sandbox.Tests.Patching;

public sealed class PatchTests
{
    private static JsonNode Json(string text) => JsonNode.Parse(text)!;

    public static TheoryData<string, string, string> JsonPatches() => new()
    {
        { """{"foo": "bar"}""", """[{"op": "add", "path": "/baz", "value": "qux"}]""", """{"foo": "bar", "baz": "qux"}""" },
        { """{"foo": ["bar", "baz"]}""", """[{"op": "add", "path": "/foo/1", "value": "qux"}]""", """{"foo": ["bar", "qux", "baz"]}""" },
        { """{"foo": ["bar"]}""", """[{"op": "add", "path": "/foo/-", "value": "end"}]""", """{"foo": ["bar", "end"]}""" },
        { """{"baz": "qux", "foo": "bar"}""", """[{"op": "remove", "path": "/baz"}]""", """{"foo": "bar"}""" },
        { """{"foo": ["bar", "qux", "baz"]}""", """[{"op": "remove", "path": "/foo/1"}]""", """{"foo": ["bar", "baz"]}""" },
        { """{"baz": "qux", "foo": "bar"}""", """[{"op": "replace", "path": "/baz", "value": "boo"}]""", """{"baz": "boo", "foo": "bar"}""" },
        { """{"foo": {"bar": "baz", "waldo": "fred"}, "qux": {"corge": "grault"}}""", """[{"op": "move", "from": "/foo/waldo", "path": "/qux/thud"}]""", """{"foo": {"bar": "baz"}, "qux": {"corge": "grault", "thud": "fred"}}""" },
        { """{"foo": ["all", "grass", "cows", "eat"]}""", """[{"op": "move", "from": "/foo/1", "path": "/foo/3"}]""", """{"foo": ["all", "cows", "eat", "grass"]}""" },
        { """{"foo": {"a": 1}}""", """[{"op": "copy", "from": "/foo", "path": "/bar"}]""", """{"foo": {"a": 1}, "bar": {"a": 1}}""" },
        { """{"baz": "qux", "foo": ["a", 2, "c"]}""", """[{"op": "test", "path": "/baz", "value": "qux"}, {"op": "test", "path": "/foo/1", "value": 2}]""", """{"baz": "qux", "foo": ["a", 2, "c"]}""" },
        { """{"a/b": 1, "m~n": 2}""", """[{"op": "replace", "path": "/a~1b", "value": 3}, {"op": "remove", "path": "/m~0n"}]""", """{"a/b": 3}""" },
    };

    [Theory]
    [MemberData(nameof(JsonPatches))]
    public void JsonPatch_AppliesRfc6902Operations(string document, string patch, string expected) =>
        Assert.True(JsonNode.DeepEquals(Json(expected), JsonPatch.Apply(Json(document), Json(patch).AsArray())));

    [Theory]
    [InlineData("""{"baz": "qux"}""", """[{"op": "test", "path": "/baz", "value": "bar"}]""")]
    [InlineData("""{"foo": "bar"}""", """[{"op": "add", "path": "/baz/bat", "value": "qux"}]""")]
    [InlineData("""{"foo": "bar"}""", """[{"op": "remove", "path": "/nothing"}]""")]
    [InlineData("""{"foo": ["a"]}""", """[{"op": "replace", "path": "/foo/01", "value": "b"}]""")]
    [InlineData("""{"foo": "bar"}""", """[{"op": "frobnicate", "path": "/foo"}]""")]
    public void JsonPatch_ThatCannotApply_Fails(string document, string patch) =>
        Assert.Throws<PatchException>(() => JsonPatch.Apply(Json(document), Json(patch).AsArray()));

    public static TheoryData<string, string, string> MergePatches() => new()
    {
        { """{"a": "b"}""", """{"a": "c"}""", """{"a": "c"}""" },
        { """{"a": "b"}""", """{"b": "c"}""", """{"a": "b", "b": "c"}""" },
        { """{"a": "b"}""", """{"a": null}""", """{}""" },
        { """{"a": "b", "b": "c"}""", """{"a": null}""", """{"b": "c"}""" },
        { """{"a": ["b"]}""", """{"a": "c"}""", """{"a": "c"}""" },
        { """{"a": {"b": "c"}}""", """{"a": {"b": "d", "c": null}}""", """{"a": {"b": "d"}}""" },
        { """{"a": [{"b": "c"}]}""", """{"a": [1]}""", """{"a": [1]}""" },
        { """{"e": null}""", """{"a": 1}""", """{"e": null, "a": 1}""" },
    };

    [Theory]
    [MemberData(nameof(MergePatches))]
    public void MergePatch_FollowsRfc7386(string document, string patch, string expected) =>
        Assert.True(JsonNode.DeepEquals(Json(expected), JsonMergePatch.Apply(Json(document), Json(patch))));

    [Fact]
    public void StrategicMergePatch_DeletesListItemsByKeyAndFromPrimitiveLists()
    {
        var document = Json("""{"containers": [{"name": "a", "image": "a:1"}, {"name": "b", "image": "b:1"}], "finalizers": ["x", "y"]}""");
        var patch = Json("""{"containers": [{"name": "a", "$patch": "delete"}], "$deleteFromPrimitiveList/finalizers": ["x"]}""");

        var result = StrategicMergePatch.Apply(document, patch);

        Assert.True(JsonNode.DeepEquals(Json("""{"containers": [{"name": "b", "image": "b:1"}], "finalizers": ["y"]}"""), result));
    }

    [Fact]
    public void StrategicMergePatch_RetainKeys_DropsFieldsNotListed()
    {
        var document = Json("""{"strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}}}""");
        var patch = Json("""{"strategy": {"$retainKeys": ["type"], "type": "Recreate"}}""");

        Assert.True(JsonNode.DeepEquals(Json("""{"strategy": {"type": "Recreate"}}"""), StrategicMergePatch.Apply(document, patch)));
    }
}
