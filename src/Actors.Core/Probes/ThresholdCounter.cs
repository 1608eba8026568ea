namespace Actors.Probes;

/// <summary>
/// Counts consecutive passes and failures against a probe's thresholds and says when the probe's state flips.
/// The state starts unknown, so the first threshold reached in either direction is reported; after that only
/// a flip to the other side is (three more failures of a failing probe report nothing new).
/// </summary>
internal sealed class ThresholdCounter(int successThreshold, int failureThreshold)
{
    public enum Transition
    {
        None,
        Passed,
        Failed,
    }

    private bool? _passing;

    public int ConsecutivePasses { get; private set; }

    public int ConsecutiveFailures { get; private set; }

    public Transition Record(bool passed)
    {
        if (passed)
        {
            ConsecutiveFailures = 0;
            ConsecutivePasses++;
            if (ConsecutivePasses < successThreshold || _passing == true)
                return Transition.None;
            _passing = true;
            return Transition.Passed;
        }

        ConsecutivePasses = 0;
        ConsecutiveFailures++;
        if (ConsecutiveFailures < failureThreshold || _passing == false)
            return Transition.None;
        _passing = false;
        return Transition.Failed;
    }
}
