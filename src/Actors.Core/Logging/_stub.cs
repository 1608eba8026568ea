namespace Actors.Logging;
public sealed class ProcessLogWriter(Actors.Configuration.LogSettings s, LogTail t) : IDisposable { public void Write(ReadOnlySpan<byte> d){} public void Flush(){} public void CompletePartialLine(){} public void Dispose(){} public override string ToString() => s.File + t; }
public sealed class LogWriteException(string m) : Exception(m);
public sealed class LogTail(int capacity = 1000) { public int Capacity => capacity; }
