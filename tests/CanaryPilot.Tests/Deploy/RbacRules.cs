using CanaryPilot.Sandbox.KubeApi;
using k8s;
using k8s.Models;

namespace CanaryPilot.Tests.Deploy;

/// <summary>
/// What RBAC allows one ServiceAccount, as kube-apiserver's authorizer decides it: the rules of the
/// ClusterRoles bound to it cluster-wide, and of the Roles and ClusterRoles bound to it in a
/// namespace, for requests in that namespace. Read from the cluster, so what is checked is what was installed.
/// </summary>
internal sealed class RbacRules
{
    private readonly List<(string? Namespace, V1PolicyRule Rule)> _rules;

    private RbacRules(List<(string? Namespace, V1PolicyRule Rule)> rules) => _rules = rules;

    public IReadOnlyList<(string? Namespace, V1PolicyRule Rule)> Rules => _rules;

    public static async Task<RbacRules> ReadAsync(IKubernetes client, string serviceAccountNamespace, string serviceAccount)
    {
        bool Bound(IList<Rbacv1Subject>? subjects) => subjects?.Any(s => s.Kind == "ServiceAccount" && s.Name == serviceAccount && s.NamespaceProperty == serviceAccountNamespace) == true;
        var clusterRoles = (await client.RbacAuthorizationV1.ListClusterRoleAsync()).Items.ToDictionary(r => r.Metadata.Name);
        var roles = (await client.RbacAuthorizationV1.ListRoleForAllNamespacesAsync()).Items.ToDictionary(r => (r.Metadata.NamespaceProperty, r.Metadata.Name));
        var rules = new List<(string?, V1PolicyRule)>();
        foreach (var binding in (await client.RbacAuthorizationV1.ListClusterRoleBindingAsync()).Items.Where(b => Bound(b.Subjects)))
        {
            rules.AddRange(clusterRoles[binding.RoleRef.Name].Rules.Select(r => ((string?)null, r)));
        }

        foreach (var binding in (await client.RbacAuthorizationV1.ListRoleBindingForAllNamespacesAsync()).Items.Where(b => Bound(b.Subjects)))
        {
            var ns = binding.Metadata.NamespaceProperty;
            var granted = binding.RoleRef.Kind == "ClusterRole" ? clusterRoles[binding.RoleRef.Name].Rules : roles[(ns, binding.RoleRef.Name)].Rules;
            rules.AddRange(granted.Select(r => ((string?)ns, r)));
        }

        return new RbacRules(rules);
    }

    /// <summary>The rule that allows <paramref name="request"/>, or null when none does.</summary>
    public V1PolicyRule? Allowing(AuditRecord request) => _rules.FirstOrDefault(r => Allows(r.Namespace, r.Rule, request)).Rule;

    private static bool Allows(string? bindingNamespace, V1PolicyRule rule, AuditRecord request)
    {
        var resource = request.Subresource is null ? request.Resource : $"{request.Resource}/{request.Subresource}";
        return (bindingNamespace is null || bindingNamespace == request.Namespace)
            && rule.ApiGroups.Contains(request.Group)
            && rule.Resources.Contains(resource)
            && rule.Verbs.Contains(request.Verb)
            && (rule.ResourceNames is not { Count: > 0 } names || (request.Name is { } name && names.Contains(name)));
    }
}
