using System.Text.Json.Serialization;

namespace CanaryPilot.Core.Plans;

public enum StageKind
{
    /// <summary>A weighted split: the canary gets <c>weight</c> percent of traffic.</summary>
    Canary,

    /// <summary>A shadow stage: the canary receives copies of live requests; responses are discarded.</summary>
    Mirror,

    /// <summary>Requests matching headers or a cookie go to the canary; everyone else stays on stable.</summary>
    [JsonStringEnumMemberName("abTest")]
    ABTest,

    /// <summary>All traffic switches to the canary at once; stable stays ready for an instant rollback.</summary>
    BlueGreen,

    /// <summary>
    /// A weighted split during which faults are injected into the canary's calls to its dependencies (delays, aborts),
    /// judged by the metrics' thresholds: does the new version cope when what it depends on is slow or failing?
    /// </summary>
    Resilience,
}
