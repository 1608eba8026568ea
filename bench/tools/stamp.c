/* Appends CLOCK_MONOTONIC nanoseconds to argv[1] with one write(), then exits with argv[2] (default 1).
   Used to measure restart latency: the gap between one run's stamp and the next is exit -> re-exec. */
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
    return argc > 2 ? atoi(argv[2]) : 1;
}
