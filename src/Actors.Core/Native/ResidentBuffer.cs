using System.Runtime.InteropServices;

namespace Actors.Native;

/// <summary>
/// Native memory whose pages are all in place before its first use: mmap'd with MAP_POPULATE, apart from malloc's
/// heap. For OutputPump's read buffer. Left to fault in, its first reads paid for the page faults inside their
/// copies (0.3-0.7 ms each against 0.1-0.2 ms later, strace -T), and a log row of 64 KiB writes reached its log's
/// first byte ~2 ms after supervisord's. Mapped apart from the heap, it costs its own size in PSS and no more
/// (bench/README.md, issue 14 item 3).
/// </summary>
internal static unsafe class ResidentBuffer
{
    public static byte* Map(int size)
    {
        var address = LibC.mmap(null, (nuint)size, LibC.PROT_READ | LibC.PROT_WRITE,
            LibC.MAP_PRIVATE | LibC.MAP_ANONYMOUS | LibC.MAP_POPULATE, -1, 0);
        if (address == (void*)-1)
            throw new OutOfMemoryException($"mmap of {size} bytes: {LibC.ErrorText(Marshal.GetLastPInvokeError())}");
        return (byte*)address;
    }

    public static void Unmap(byte* address, int size) => LibC.munmap(address, (nuint)size);
}
