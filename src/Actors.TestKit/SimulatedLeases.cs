using Akka.Actor;
using Akka.Configuration;
using Akka.Coordination;
using Actors.Configuration;
using Actors.Leases;

namespace Actors.TestKit;

/// <summary>
/// The leases of a simulation, in memory: free unless the test says another node holds one. The real lease keeper
/// and supervisor work with them; only the file (and the other nodes) are simulated. Answers come at once, on the
/// caller's thread, so a try and its answer settle in one turn of virtual time.
/// </summary>
internal sealed class SimulatedLeases
{
    private readonly object _gate = new();
    private readonly Dictionary<string, Holding> _leases = new(StringComparer.Ordinal);

    private sealed class Holding
    {
        public string? Holder;
        public long Token;
        public Action<Exception?>? Lost;
    }

    public Lease For(ProcessSettings settings, ActorSystem system, string owner)
    {
        var lease = settings.Lease ?? throw new ArgumentException($"{settings.Name} declares no lease");
        var timeouts = new TimeoutSettings(lease.HeartbeatInterval, lease.Ttl, TimeSpan.FromSeconds(1));
        return new MemoryLease(this, new LeaseSettings(lease.Name, owner, timeouts, ConfigurationFactory.Empty));
    }

    /// <summary>Another node takes the lease (a new holding, a new token); our holder, if it held it, hears it lost it.</summary>
    public void TakeBy(string name, string other)
    {
        Action<Exception?>? lost;
        long token;
        lock (_gate)
        {
            var holding = Get(name);
            lost = holding.Holder is not null && holding.Holder != other ? holding.Lost : null;
            holding.Holder = other;
            token = ++holding.Token;
            holding.Lost = null;
        }
        lost?.Invoke(new LeaseException($"taken over by {other} (token {token})"));
    }

    /// <summary>Whoever holds it lets it go; our holder, if it held it, hears it lost it.</summary>
    public void Free(string name)
    {
        Action<Exception?>? lost;
        lock (_gate)
        {
            var holding = Get(name);
            lost = holding.Lost;
            holding.Holder = null;
            holding.Lost = null;
        }
        lost?.Invoke(new LeaseException("released elsewhere"));
    }

    public string? HolderOf(string name)
    {
        lock (_gate) return Get(name).Holder;
    }

    private Holding Get(string name)
    {
        if (!_leases.TryGetValue(name, out var holding)) _leases[name] = holding = new Holding();
        return holding;
    }

    private sealed class MemoryLease(SimulatedLeases board, LeaseSettings settings) : Lease(settings), IFencedLease
    {
        private string Name => Settings.LeaseName;
        private string Owner => Settings.OwnerName;

        public bool InspectMayBlock => false;

        public long Token { get { lock (board._gate) return board.Get(Name).Token; } }

        public override Task<bool> Acquire() => Acquire(null);

        public override Task<bool> Acquire(Action<Exception?>? leaseLostCallback)
        {
            lock (board._gate)
            {
                var holding = board.Get(Name);
                if (holding.Holder is not null && holding.Holder != Owner) return Task.FromResult(false);
                if (holding.Holder is null) holding.Token++;
                holding.Holder = Owner;
                holding.Lost = leaseLostCallback;
                return Task.FromResult(true);
            }
        }

        public override bool CheckLease()
        {
            lock (board._gate) return board.Get(Name).Holder == Owner;
        }

        public override Task<bool> Release()
        {
            lock (board._gate)
            {
                var holding = board.Get(Name);
                if (holding.Holder == Owner)
                {
                    holding.Holder = null;
                    holding.Lost = null;
                }
                return Task.FromResult(true);
            }
        }

        public LeaseStatus Inspect()
        {
            lock (board._gate)
            {
                var holding = board.Get(Name);
                return new LeaseStatus(Name, holding.Holder == Owner, holding.Holder, holding.Token, TimeSpan.Zero);
            }
        }
    }
}
