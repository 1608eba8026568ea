using Actors.Processes;

// actors-watchdog HOST-PID HOST-STARTTIME: started by an embedded supervision with a pipe from the host as stdin;
// kills the host's children when the host dies without stopping them (see Watchdog).
int hostPid = args.Length >= 1 && int.TryParse(args[0], out var pid) ? pid : 0;
long? hostStart = args.Length == 2 && long.TryParse(args[1], out var start) ? start : ProcStat.ReadStartTime(hostPid);
Watchdog.Run(Console.OpenStandardInput(), Console.Error, hostPid, hostStart);
return 0;
