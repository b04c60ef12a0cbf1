using System.Text.Json.Nodes;

namespace CanaryPilot.Sandbox.KubeApi.Patching;

/// <summary>
/// Strategic merge patch, as far as kubectl's patches need it. Lists of objects merge by their
/// merge key where one is evident (<c>name</c>, <c>containerPort</c>, <c>port</c>, <c>ip</c>,
/// <c>type</c>), as Kubernetes' schemas declare for containers, ports, env, volumes and conditions;
/// other lists are replaced. The directives <c>$patch</c>, <c>$retainKeys</c>,
/// <c>$setElementOrder/…</c> and <c>$deleteFromPrimitiveList/…</c> are honoured. For custom
/// resources, which have no patch strategy, this is a JSON merge patch, as on the real server.
/// </summary>
public static class StrategicMergePatch
{
    private static readonly string[] MergeKeys = ["name", "containerPort", "port", "mountPath", "ip", "type", "devicePath"];
    private const string SetElementOrder = "$setElementOrder/";
    private const string DeleteFromPrimitiveList = "$deleteFromPrimitiveList/";

    public static JsonNode? Apply(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject patchObject)
        {
            return patch?.DeepClone();
        }

        if (patchObject["$patch"]?.GetValue<string>() == "replace")
        {
            var replacement = (JsonObject)patchObject.DeepClone();
            replacement.Remove("$patch");
            return replacement;
        }

        var result = target is JsonObject targetObject ? (JsonObject)targetObject.DeepClone() : [];
        foreach (var (key, value) in patchObject)
        {
            if (key is "$patch" or "$retainKeys" || key.StartsWith(SetElementOrder, StringComparison.Ordinal))
            {
                continue;
            }

            if (key.StartsWith(DeleteFromPrimitiveList, StringComparison.Ordinal))
            {
                var field = key[DeleteFromPrimitiveList.Length..];
                if (result[field] is JsonArray list && value is JsonArray removed)
                {
                    foreach (var item in list.Where(i => removed.Any(r => JsonNode.DeepEquals(i, r))).ToList())
                    {
                        list.Remove(item);
                    }
                }

                continue;
            }

            if (value is null)
            {
                result.Remove(key);
            }
            else if (value is JsonArray patchList && result[key] is JsonArray current && MergeKey(current, patchList) is { } mergeKey)
            {
                result[key] = MergeLists(current, patchList, mergeKey, patchObject[SetElementOrder + key] as JsonArray);
            }
            else
            {
                result[key] = Apply(result[key], value);
            }
        }

        if (patchObject["$retainKeys"] is JsonArray retain)
        {
            var keep = retain.Select(k => k?.ToString()).ToHashSet(StringComparer.Ordinal);
            foreach (var stale in result.Select(p => p.Key).Where(k => !keep.Contains(k)).ToList())
            {
                result.Remove(stale);
            }
        }

        return result;
    }

    private static string? MergeKey(JsonArray current, JsonArray patch)
    {
        var items = current.Concat(patch).ToList();
        if (items.Count == 0 || !items.TrueForAll(i => i is JsonObject))
        {
            return null;
        }

        return Array.Find(MergeKeys, key => items.TrueForAll(i => i is JsonObject o && (o.ContainsKey(key) || o["$patch"] is not null && o.ContainsKey(key))));
    }

    private static JsonArray MergeLists(JsonArray current, JsonArray patch, string mergeKey, JsonArray? order)
    {
        var merged = current.Select(i => i!.DeepClone()).Cast<JsonObject>().ToList();
        foreach (var item in patch.Cast<JsonObject>())
        {
            var key = item[mergeKey];
            var index = merged.FindIndex(m => JsonNode.DeepEquals(m[mergeKey], key));
            if (item["$patch"]?.GetValue<string>() == "delete")
            {
                if (index >= 0)
                {
                    merged.RemoveAt(index);
                }

                continue;
            }

            if (index >= 0)
            {
                merged[index] = (JsonObject)Apply(merged[index], item)!;
            }
            else
            {
                merged.Add((JsonObject)Apply(null, item)!);
            }
        }

        if (order is not null)
        {
            var position = order.Select(o => o?[mergeKey]).ToList();
            merged = [.. merged.OrderBy(m =>
            {
                var i = position.FindIndex(p => JsonNode.DeepEquals(p, m[mergeKey]));
                return i < 0 ? int.MaxValue : i;
            })];
        }

        return [.. merged];
    }
}
