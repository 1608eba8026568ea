using Actors.Native;
using Actors.Processes;
using Xunit;

namespace Actors.Core.Tests.Processes;

/// <summary>Which pipes grow: real pipes of this test process, sized by the kernel.</summary>
public sealed unsafe class PipeGrowthSpec : IDisposable
{
    private readonly List<int> _fds = [];

    [Fact]
    public void An_ordinary_user_grows_pipes_by_at_most_a_quarter_of_its_soft_limit_and_root_or_no_limit_without_bound()
    {
        // The default limit, 16384 pages: each grown pipe adds 240 pages (1 MiB less the default 64 KiB), 17 add 4080.
        Assert.Equal(17, PipeGrowth.MaxGrownFor(privileged: false, softLimitPages: 16384, pageSize: 4096));
        Assert.Equal(0, PipeGrowth.MaxGrownFor(privileged: false, softLimitPages: 500, pageSize: 4096));
        Assert.Equal(int.MaxValue, PipeGrowth.MaxGrownFor(privileged: true, softLimitPages: 16384, pageSize: 4096));
        Assert.Equal(int.MaxValue, PipeGrowth.MaxGrownFor(privileged: false, softLimitPages: 0, pageSize: 4096));
    }

    [Fact]
    public void CAP_SYS_RESOURCE_or_CAP_SYS_ADMIN_in_the_effective_set_is_privileged_and_an_unreadable_status_is_not()
    {
        Assert.True(PipeGrowth.Privileged("Name:\tactors\nCapInh:\t0000000000000000\nCapEff:\t000001ffffffffff\n"));
        Assert.True(PipeGrowth.Privileged("CapEff:\t0000000001000000\n")); // bit 24 alone
        Assert.True(PipeGrowth.Privileged("CapEff:\t0000000000200000\n")); // bit 21 alone
        Assert.False(PipeGrowth.Privileged("CapPrm:\t000001ffffffffff\nCapEff:\t0000000000000000\n"));
        Assert.False(PipeGrowth.Privileged(null));
    }

    [Fact]
    public void A_pipe_grows_to_1_MiB_once_and_past_the_bound_waits_until_a_grown_pipe_is_released()
    {
        var growth = new PipeGrowth(maxGrown: 1);
        int first = Pipe(), second = Pipe();
        Assert.Equal(PipeGrowth.DefaultBytes, Size(first));

        Assert.Equal(PipeGrowth.Outcome.Grown, growth.Consider(first));
        Assert.Equal(PipeGrowth.GrownBytes, Size(first));
        Assert.Equal(PipeGrowth.Outcome.Later, growth.Consider(second));
        Assert.Equal(PipeGrowth.DefaultBytes, Size(second));

        growth.Released();
        Assert.Equal(PipeGrowth.Outcome.Grown, growth.Consider(second));
        Assert.Equal(PipeGrowth.GrownBytes, Size(second));
        Assert.Equal(1, growth.Grown);
    }

    [Fact]
    public void A_pipe_its_writer_already_made_as_big_is_left_as_it_is_and_not_counted()
    {
        var growth = new PipeGrowth(maxGrown: 1);
        int pipe = Pipe();
        Assert.Equal(PipeGrowth.GrownBytes, LibC.fcntl(pipe, LibC.F_SETPIPE_SZ, PipeGrowth.GrownBytes));

        Assert.Equal(PipeGrowth.Outcome.Never, growth.Consider(pipe));
        Assert.Equal(PipeGrowth.GrownBytes, Size(pipe));
        Assert.Equal(0, growth.Grown);
    }

    /// <summary>A new pipe's read end (what the pump holds); its write end is kept open beside it.</summary>
    private int Pipe()
    {
        int* fds = stackalloc int[2];
        Assert.Equal(0, LibC.pipe2(fds, LibC.O_CLOEXEC));
        _fds.Add(fds[0]);
        _fds.Add(fds[1]);
        return fds[0];
    }

    private static int Size(int fd) => LibC.fcntl(fd, LibC.F_GETPIPE_SZ, 0);

    public void Dispose()
    {
        foreach (var fd in _fds) LibC.close(fd);
    }
}
