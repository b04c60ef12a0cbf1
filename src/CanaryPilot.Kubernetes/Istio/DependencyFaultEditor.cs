using System.Globalization;
using System.Text.Json.Nodes;
using CanaryPilot.Core.Plans;
using CanaryPilot.Core.Rollouts;

namespace CanaryPilot.Kubernetes.Istio;

/// <summary>
/// Edits a dependency's VirtualService for a resilience stage: in front of each of the team's http routes, a copy of it
/// that only the canary's pods match (their labels and namespace, Istio's <c>sourceLabels</c> and <c>sourceNamespace</c>)
/// and that carries the stage's fault. The copies are named <c>canarypilot-PLAN-fault-…</c>; removing them leaves the
/// document exactly as the team wrote it, so nothing else is recorded. Pure: no I/O.
/// </summary>
internal sealed class DependencyFaultEditor(RolloutPlan plan)
{
    private static readonly string[] NotCopied = ["name", "match", "fault"];

    public string OwnedPrefix => $"canarypilot-{plan.Metadata.Name}-fault-";

    /// <summary>Takes this plan's fault routes out, then, when <paramref name="fault"/> is given, puts them back for it.</summary>
    public void Apply(JsonObject virtualService, DependencyFault? fault, IReadOnlyDictionary<string, string> labels)
    {
        if (virtualService["spec"]?["http"] is not JsonArray http)
        {
            if (fault is not null)
            {
                throw Refuse(virtualService, "has no http routes to inject a fault into");
            }

            return;
        }

        foreach (var owned in http.OfType<JsonObject>().Where(IsOwned).ToList())
        {
            http.Remove(owned);
        }

        if (fault is null)
        {
            return;
        }

        if (virtualService["spec"]?["gateways"] is JsonArray gateways && gateways.Count > 0 && !gateways.Any(g => g?.GetValue<string>() == "mesh"))
        {
            throw Refuse(virtualService, "applies to gateways only, not to requests between pods (add the gateway \"mesh\")");
        }

        var routes = http.OfType<JsonObject>().Where(r => !IsOwned(r)).ToList();
        var added = 0;
        for (var i = 0; i < routes.Count; i++)
        {
            var route = routes[i];
            if (route.ContainsKey("delegate"))
            {
                throw Refuse(virtualService, $"route {Key(route, i)} delegates to another VirtualService; inject the fault there");
            }

            if (CanaryMatches(route["match"], labels) is not { Count: > 0 } match)
            {
                continue; // its matches exclude the canary's pods
            }

            var copy = new JsonObject { ["name"] = $"{OwnedPrefix}{Key(route, i)}", ["match"] = match };
            foreach (var (field, value) in route.Where(f => !NotCopied.Contains(f.Key)))
            {
                copy[field] = value?.DeepClone();
            }

            copy["fault"] = Fault(fault);
            http.Insert(http.IndexOf(route), copy);
            added++;
        }

        if (added == 0)
        {
            throw Refuse(virtualService, "has no http route the canary's requests can match");
        }
    }

    /// <summary>Whether this plan's fault routes are in the document.</summary>
    public bool HasFaults(JsonObject virtualService) =>
        (virtualService["spec"]?["http"] as JsonArray ?? []).OfType<JsonObject>().Any(IsOwned);

    /// <summary>
    /// The route's matches narrowed to the canary's pods: each (none matches every request, as <c>{}</c> does) with the
    /// canary's labels and namespace added; one that names other labels, another namespace or only gateways is left out.
    /// </summary>
    private JsonArray CanaryMatches(JsonNode? own, IReadOnlyDictionary<string, string> labels)
    {
        var matches = own is JsonArray { Count: > 0 } given ? given.OfType<JsonObject>().ToList() : [new JsonObject()];
        var narrowed = new JsonArray();
        foreach (var match in matches)
        {
            var copy = (JsonObject)match.DeepClone();
            copy.Remove("name");
            var source = copy["sourceLabels"] as JsonObject ?? [];
            if (labels.Any(l => source[l.Key] is { } value && value.GetValue<string>() != l.Value)
                || copy["sourceNamespace"] is { } ns && ns.GetValue<string>() != plan.Namespace
                || copy["gateways"] is JsonArray { Count: > 0 } gateways && !gateways.Any(g => g?.GetValue<string>() == "mesh"))
            {
                continue;
            }

            foreach (var (key, value) in labels)
            {
                source[key] = value;
            }

            copy["sourceLabels"] = source;
            copy["sourceNamespace"] = plan.Namespace;
            narrowed.Add(copy);
        }

        return narrowed;
    }

    private static JsonObject Fault(DependencyFault fault)
    {
        var node = new JsonObject();
        if (fault.Delay is { FixedDelay: { } delay } delayed)
        {
            node["delay"] = new JsonObject { ["percentage"] = Percentage(delayed.Percentage), ["fixedDelay"] = Seconds(delay) };
        }

        if (fault.Abort is { } abort)
        {
            var aborted = new JsonObject { ["percentage"] = Percentage(abort.Percentage) };
            if (abort.HttpStatus is { } status)
            {
                aborted["httpStatus"] = status;
            }
            else
            {
                aborted["grpcStatus"] = abort.GrpcStatus;
            }

            node["abort"] = aborted;
        }

        return node;
    }

    /// <summary>A protobuf Duration as Istio reads it in JSON: seconds, <c>2s</c>, <c>0.5s</c>.</summary>
    private static string Seconds(TimeSpan value) => string.Create(CultureInfo.InvariantCulture, $"{value.TotalSeconds:0.#########}s");

    private static JsonObject Percentage(double value) => new() { ["value"] = value };

    private bool IsOwned(JsonObject route) => route["name"]?.GetValue<string>()?.StartsWith(OwnedPrefix, StringComparison.Ordinal) == true;

    private static string Key(JsonObject route, int index) => route["name"]?.GetValue<string>() ?? index.ToString(CultureInfo.InvariantCulture);

    private static TrafficRoutingException Refuse(JsonObject virtualService, string problem) =>
        new($"VirtualService {virtualService["metadata"]?["namespace"]}/{virtualService["metadata"]?["name"]} {problem}");
}
