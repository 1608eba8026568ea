using System.Runtime.InteropServices;
using Akka.Actor;

namespace Actors.Node.Exec;

/// <summary>
/// Catches the signals that would end <c>actors exec</c> (SIGINT, SIGTERM, SIGHUP, SIGQUIT, the ones coreutils
/// timeout passes on) and hands them to the job instead: exec must outlive them to pass them on to the
/// command's group, which has a session of its own and so never sees a terminal's Ctrl-C by itself. Registered
/// before anything starts; a signal that arrives before the job exists is kept for it.
/// </summary>
internal sealed class ExecSignals : IDisposable
{
    private static readonly (PosixSignal Signal, int Number)[] Caught =
        [(PosixSignal.SIGINT, 2), (PosixSignal.SIGTERM, 15), (PosixSignal.SIGHUP, 1), (PosixSignal.SIGQUIT, 3)];

    private readonly object _gate = new();
    private readonly List<int> _early = new();
    private readonly List<PosixSignalRegistration> _registrations = new();
    private IActorRef? _job;

    public ExecSignals()
    {
        foreach (var (signal, number) in Caught)
            _registrations.Add(PosixSignalRegistration.Create(signal, context =>
            {
                context.Cancel = true; // exec stays alive; the job decides when it ends
                Deliver(number);
            }));
    }

    /// <summary>From now on, signals go to <paramref name="job"/>; those received so far first.</summary>
    public void Attach(IActorRef job)
    {
        lock (_gate)
        {
            _job = job;
            foreach (var number in _early) job.Tell(new ExecJob.Interrupt(number));
            _early.Clear();
        }
    }

    private void Deliver(int number)
    {
        lock (_gate)
        {
            if (_job is null) _early.Add(number);
            else _job.Tell(new ExecJob.Interrupt(number));
        }
    }

    public void Dispose()
    {
        foreach (var registration in _registrations) registration.Dispose();
    }
}
