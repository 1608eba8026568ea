/*
 * How often /proc/self/task/TID/children misses a child while the thread's other children are reaped.
 * A forker thread loops: fork 8 children that exit at once, fork a marker that waits, kill and reap the previous
 * marker, reap the 8. So a marker is always alive, and a child that exited sits just before it in the list. The main
 * thread lists the forker's children and counts listings without the marker that was alive during the whole listing.
 * The kernel says why it can happen (fs/proc/array.c, get_children_pid): see ProcTable.StableChildrenOf.
 * Usage: children_skip LISTINGS  (prints: listings N missed M)
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static _Atomic int forked = -1, killed = -1, forker_tid = 0, done = 0;
static pid_t markers[1 << 22];

static void *forker(void *unused)
{
    (void)unused;
    forker_tid = (int)syscall(SYS_gettid);
    for (int g = 0; !done && g < (1 << 22); g++)
    {
        pid_t quick[8];
        for (int i = 0; i < 8; i++) if ((quick[i] = fork()) == 0) _exit(0);
        pid_t marker = fork();
        if (marker == 0) { pause(); _exit(0); }
        markers[g] = marker;
        forked = g;
        if (g > 0) { kill(markers[g - 1], SIGKILL); waitpid(markers[g - 1], 0, 0); killed = g - 1; }
        for (int i = 0; i < 8; i++) waitpid(quick[i], 0, 0);
    }
    return 0;
}

static int lists(const char *text, pid_t pid)
{
    char want[16];
    int n = snprintf(want, sizeof want, "%d ", pid);
    for (const char *p = text; (p = strstr(p, want)) != 0; p += n)
        if (p == text || p[-1] == ' ') return 1;
    return 0;
}

int main(int argc, char **argv)
{
    long wanted = argc > 1 ? atol(argv[1]) : 200000;
    pthread_t thread;
    pthread_create(&thread, 0, forker, 0);
    while (!forker_tid || forked < 0) usleep(100);
    char path[64], text[16384];
    snprintf(path, sizeof path, "/proc/self/task/%d/children", forker_tid);
    long listings = 0, missed = 0;
    while (listings < wanted)
    {
        int newest = forked;
        int fd = open(path, O_RDONLY);
        ssize_t length = read(fd, text, sizeof text - 1);
        close(fd);
        text[length > 0 ? length : 0] = 0;
        if (killed >= newest) continue; /* the marker did not live through the listing */
        listings++;
        if (!lists(text, markers[newest])) missed++;
    }
    done = 1;
    pthread_join(thread, 0);
    printf("listings %ld missed %ld\n", listings, missed);
    return 0;
}
