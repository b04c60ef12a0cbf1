namespace CanaryPilot.Sandbox.KubeApi;

/// <summary>What a fresh emulator serves: the Kubernetes kinds CanaryPilot, its install and kubectl use, Istio's networking kinds, the Gateway API's and the Prometheus Operator's ServiceMonitor: a cluster with a mesh, monitored.</summary>
internal static class BuiltInResources
{
    public static IReadOnlyList<ResourceType> All { get; } = Build();

    private static List<ResourceType> Build()
    {
        var types = new List<ResourceType>
        {
            new() { Group = "", Version = "v1", Plural = "namespaces", Kind = "Namespace", Namespaced = false, HasStatus = true, ShortNames = ["ns"] },
            new() { Group = "", Version = "v1", Plural = "services", Kind = "Service", HasStatus = true, ShortNames = ["svc"], Categories = ["all"] },
            new() { Group = "", Version = "v1", Plural = "configmaps", Kind = "ConfigMap", ShortNames = ["cm"], SpecLess = true },
            new() { Group = "", Version = "v1", Plural = "secrets", Kind = "Secret", SpecLess = true },
            new() { Group = "", Version = "v1", Plural = "events", Kind = "Event", ShortNames = ["ev"], SpecLess = true },
            new() { Group = "", Version = "v1", Plural = "pods", Kind = "Pod", HasStatus = true, ShortNames = ["po"], Categories = ["all"] },
            new() { Group = "", Version = "v1", Plural = "serviceaccounts", Kind = "ServiceAccount", ShortNames = ["sa"], SpecLess = true },
            new() { Group = "events.k8s.io", Version = "v1", Plural = "events", Kind = "Event", ShortNames = ["ev"], SpecLess = true },
            new() { Group = "apps", Version = "v1", Plural = "deployments", Kind = "Deployment", HasStatus = true, ShortNames = ["deploy"], Categories = ["all"] },
            new() { Group = "apps", Version = "v1", Plural = "statefulsets", Kind = "StatefulSet", HasStatus = true, ShortNames = ["sts"], Categories = ["all"] },
            new() { Group = "policy", Version = "v1", Plural = "poddisruptionbudgets", Kind = "PodDisruptionBudget", HasStatus = true, ShortNames = ["pdb"] },
            new() { Group = "coordination.k8s.io", Version = "v1", Plural = "leases", Kind = "Lease" },
            new() { Group = "rbac.authorization.k8s.io", Version = "v1", Plural = "roles", Kind = "Role", SpecLess = true },
            new() { Group = "rbac.authorization.k8s.io", Version = "v1", Plural = "rolebindings", Kind = "RoleBinding", SpecLess = true },
            new() { Group = "rbac.authorization.k8s.io", Version = "v1", Plural = "clusterroles", Kind = "ClusterRole", Namespaced = false, SpecLess = true },
            new() { Group = "rbac.authorization.k8s.io", Version = "v1", Plural = "clusterrolebindings", Kind = "ClusterRoleBinding", Namespaced = false, SpecLess = true },
            new()
            {
                Group = "apiextensions.k8s.io", Version = "v1", Plural = "customresourcedefinitions", Kind = "CustomResourceDefinition",
                Namespaced = false, HasStatus = true, ShortNames = ["crd", "crds"],
            },
        };

        // A fresh sandbox needs no Istio CRDs: the networking kinds are served in every version.
        (string Plural, string Kind, string[] ShortNames)[] istio =
        [
            ("virtualservices", "VirtualService", ["vs"]),
            ("destinationrules", "DestinationRule", ["dr"]),
            ("gateways", "Gateway", ["gw"]),
            ("serviceentries", "ServiceEntry", ["se"]),
        ];
        foreach (var version in new[] { "v1", "v1beta1", "v1alpha3" })
        {
            types.AddRange(istio.Select(i => new ResourceType
            {
                Group = "networking.istio.io", Version = version, Plural = i.Plural, Kind = i.Kind,
                ShortNames = i.ShortNames, Categories = ["istio-io", "networking-istio-io"], Custom = true,
            }));
        }

        // The Kubernetes Gateway API, as Istio installs it for ambient mode and Gateway API gateways: routes and
        // gateways with the status their controllers write, and the grants that let a route reach another namespace.
        // With the printer columns of the Gateway API's own CRDs, so `kubectl get` prints what it prints in a cluster.
        var age = new PrinterColumn("Age", "date", ".metadata.creationTimestamp");
        PrinterColumn[] routeColumns = [new("Hostnames", "string", ".spec.hostnames"), age];
        (string Plural, string Kind, string[] Versions, bool Namespaced, bool Status, string[] ShortNames, PrinterColumn[] Columns)[] gatewayApi =
        [
            ("httproutes", "HTTPRoute", ["v1", "v1beta1"], true, true, [], routeColumns),
            ("grpcroutes", "GRPCRoute", ["v1"], true, true, [], routeColumns),
            ("gateways", "Gateway", ["v1", "v1beta1"], true, true, ["gtw"],
            [
                new("Class", "string", ".spec.gatewayClassName"),
                new("Address", "string", ".status.addresses[0].value"),
                new("Programmed", "string", ".status.conditions[?(@.type==\"Programmed\")].status"),
                age,
            ]),
            ("gatewayclasses", "GatewayClass", ["v1", "v1beta1"], false, true, ["gc"],
            [
                new("Controller", "string", ".spec.controllerName"),
                new("Accepted", "string", ".status.conditions[?(@.type==\"Accepted\")].status"),
                age,
            ]),
            ("referencegrants", "ReferenceGrant", ["v1beta1"], true, false, ["refgrant"], [age]),
        ];
        types.AddRange(gatewayApi.SelectMany(g => g.Versions.Select(version => new ResourceType
        {
            Group = "gateway.networking.k8s.io", Version = version, Plural = g.Plural, Kind = g.Kind, Namespaced = g.Namespaced,
            HasStatus = g.Status, ShortNames = g.ShortNames, Categories = ["gateway-api"], PrinterColumns = g.Columns, Custom = true,
        })));

        // The Prometheus Operator's ServiceMonitor: CanaryPilot's install has one for its own /metrics.
        types.Add(new ResourceType
        {
            Group = "monitoring.coreos.com", Version = "v1", Plural = "servicemonitors", Kind = "ServiceMonitor",
            ShortNames = ["smon"], Categories = ["prometheus-operator"], Custom = true,
        });
        return types;
    }
}
