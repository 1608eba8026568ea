// Actors supervises Linux processes (posix_spawn, process groups, pidfd, unix sockets); nothing else is supported.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
