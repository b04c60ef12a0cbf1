using System.Text.Json.Nodes;
using k8s;

namespace CanaryPilot.Benchmarks;

/// <summary>The Istio objects of one of many services a suite rolls out at once: v1 gets all traffic, v2 is the canary.</summary>
internal static class MeshObjects
{
    /// <summary>A VirtualService with one route (<c>primary</c>) to subset v1, and a DestinationRule with subsets v1 and v2.</summary>
    public static async Task CreateAsync(IKubernetes client, string ns, string service, CancellationToken cancellationToken)
    {
        await client.CustomObjects.CreateNamespacedCustomObjectAsync(JsonNode.Parse($$$"""
            {"apiVersion": "networking.istio.io/v1", "kind": "VirtualService", "metadata": {"name": "{{{service}}}", "namespace": "{{{ns}}}"},
             "spec": {"hosts": ["{{{service}}}"], "http": [{"name": "primary", "route": [{"destination": {"host": "{{{service}}}", "subset": "v1"}}]}]}}
            """)!, "networking.istio.io", "v1", ns, "virtualservices", cancellationToken: cancellationToken);
        await client.CustomObjects.CreateNamespacedCustomObjectAsync(JsonNode.Parse($$$"""
            {"apiVersion": "networking.istio.io/v1", "kind": "DestinationRule", "metadata": {"name": "{{{service}}}", "namespace": "{{{ns}}}"},
             "spec": {"host": "{{{service}}}", "subsets": [{"name": "v1", "labels": {"version": "v1"}}, {"name": "v2", "labels": {"version": "v2"}}]}}
            """)!, "networking.istio.io", "v1", ns, "destinationrules", cancellationToken: cancellationToken);
    }
}
