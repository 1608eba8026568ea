using Xunit;

// One supervision per process (README, "What the host must not do"): every host started here shares this process's
// node marker, and the watchdog of a host that stops kills whatever carries that marker, so hosts run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
