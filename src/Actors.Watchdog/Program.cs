using Actors.Processes;

// actors-watchdog NODE-PID NODE-STARTTIME: started by the node (or an embedded supervision) with a pipe from it as
// stdin; kills its children when it dies without stopping them, and leased groups when it stops confirming their
// lease (see Watchdog, WatchedGroups).
int nodePid = args.Length >= 1 && int.TryParse(args[0], out var pid) ? pid : 0;
long? nodeStart = args.Length == 2 && long.TryParse(args[1], out var start) ? start : ProcStat.ReadStartTime(nodePid);
if (nodePid <= 1)
{
    Console.Error.WriteLine("usage: actors-watchdog NODE-PID [NODE-STARTTIME] (started by actors with a pipe from the node as stdin)");
    return 64;
}
var log = Console.Error;
Watchdog.Run(Console.OpenStandardInput(), log, nodePid, nodeStart);
return 0;
