namespace Actors.Processes;

/// <summary>How a process ended: an exit code, or the signal that killed it.</summary>
public sealed record ExitStatus(int? Code, int? Signal)
{
    public static ExitStatus Exited(int code) => new(code, null);
    public static ExitStatus Killed(int signal) => new(null, signal);

    /// <summary>Decodes a <c>waitpid</c> status word.</summary>
    public static ExitStatus FromWaitStatus(int status) =>
        (status & 0x7f) == 0 ? Exited((status >> 8) & 0xff) : Killed(status & 0x7f);

    public override string ToString() =>
        Code is { } code ? $"code {code}" : $"signal {SignalNames.Describe(Signal ?? 0)}";
}

/// <summary>Linux signal names, for messages a person reads.</summary>
public static class SignalNames
{
    private static readonly string[] Names =
    [
        "", "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV", "USR2", "PIPE",
        "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG", "XCPU", "XFSZ",
        "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS",
    ];

    /// <summary>"TERM (15)", or the bare number for signals without a classic name.</summary>
    public static string Describe(int signal) =>
        signal > 0 && signal < Names.Length ? $"SIG{Names[signal]} ({signal})" : signal.ToString();
}
