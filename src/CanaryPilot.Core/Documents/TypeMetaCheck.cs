using CanaryPilot.Core.Diagnostics;

namespace CanaryPilot.Core.Documents;

/// <summary>Every document must say what it is: apiVersion and kind.</summary>
public static class TypeMetaCheck
{
    public static IEnumerable<Diagnostic> Check(IEnumerable<SourceDocument> documents)
    {
        foreach (var document in documents)
        {
            foreach (var field in new[] { "apiVersion", "kind" })
            {
                if (document.Root[field] is not ScalarNode { IsNull: false })
                {
                    var at = document.Root[field]?.Position ?? document.Root.Position;
                    yield return Diagnostic.Error(document.File, at, field, "required field is missing; every document must be a Kubernetes resource with apiVersion and kind");
                }
            }
        }
    }
}
