namespace CanaryPilot.Demo;

/// <summary>Which of Istio's data planes the demo's mesh plays: sidecars and a VirtualService, or ambient mode with a waypoint and an HTTPRoute.</summary>
internal enum DemoMesh
{
    Sidecar,
    Ambient,
}
