/* Appends CLOCK_MONOTONIC nanoseconds to argv[1] with one write(), then exits with argv[2] (default 1), or with
   argv[2] "wait" stays until a signal ends it.
   Used to measure restart latency: the gap between one run's stamp and the next is exit -> re-exec; with "wait",
   the gap between a SIGKILL and the next run's stamp is kill -> re-exec (bench/peers.py --only restart). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
int main(int argc, char **argv) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    char buf[64];
    int n = snprintf(buf, sizeof buf, "%lld\n", (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec);
    int fd = open(argv[1], O_WRONLY | O_APPEND | O_CREAT, 0644);
    if (fd < 0 || write(fd, buf, n) != n) return 70;
    close(fd);
    if (argc > 2 && !strcmp(argv[2], "wait"))
        for (;;) pause();
    return argc > 2 ? atoi(argv[2]) : 1;
}
