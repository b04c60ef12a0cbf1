using CanaryPilot.Core.Notifications;
using CanaryPilot.Core.Plans;
using CanaryPilot.Core.Tests.Rollouts;

namespace CanaryPilot.Core.Tests.Notifications;

public sealed class GateOutcomeTests
{
    [Theory]
    [InlineData(GateVerdict.Open, GateTimeoutPolicy.Hold, GateDecision.Proceed)]
    [InlineData(GateVerdict.Open, GateTimeoutPolicy.Fail, GateDecision.Proceed)]
    [InlineData(GateVerdict.Closed, GateTimeoutPolicy.Hold, GateDecision.Hold)]
    [InlineData(GateVerdict.Closed, GateTimeoutPolicy.Fail, GateDecision.Hold)]
    [InlineData(GateVerdict.TimedOut, GateTimeoutPolicy.Hold, GateDecision.Hold)]
    [InlineData(GateVerdict.TimedOut, GateTimeoutPolicy.Fail, GateDecision.Fail)]
    [InlineData(GateVerdict.Failed, GateTimeoutPolicy.Hold, GateDecision.Hold)]
    [InlineData(GateVerdict.Failed, GateTimeoutPolicy.Fail, GateDecision.Hold)]
    public void Decide_OnlyATimeoutUnderFailPolicy_FailsTheRollout(GateVerdict verdict, GateTimeoutPolicy policy, GateDecision expected) =>
        Assert.Equal(expected, new GateOutcome(verdict, "why").Decide(policy));

    [Fact]
    public void OnTimeout_DefaultsToHold_AndReadsFail()
    {
        var plan = MachineDriver.PlanWith("""
              gates:
                - {name: quiet, type: preRollout, url: "http://127.0.0.1:9/gate"}
                - {name: strict, type: confirmPromotion, url: "http://127.0.0.1:9/gate", timeout: 5s, onTimeout: fail}
            """);

        Assert.Equal(GateTimeoutPolicy.Hold, plan.Spec.Gates[0].OnTimeout);
        Assert.Equal(GateTimeoutPolicy.Fail, plan.Spec.Gates[1].OnTimeout);
        Assert.Equal(TimeSpan.FromSeconds(5), plan.Spec.Gates[1].Timeout);
    }
}
