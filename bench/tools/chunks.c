/* Writes "1\n" .. "N\n" (seq's output, 6.9 MB for a million) to stdout in writes of at most 64 KiB, after
   stamping CLOCK_MONOTONIC nanoseconds into argv[2]: the buffered-writer log-throughput row. The whole text is
   built before the stamp, so only the writes and the supervisor's logging are timed. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
/* Its own CPU time (user + system, microseconds) into STAMPFILE.cpu: what the writes cost the writer, wake-ups of
   the supervisor's reader included; unlike wall time, valid on a busy machine. */
static int cpu_report(const char *stamp) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    char path[4096];
    snprintf(path, sizeof path, "%s.cpu", stamp);
    FILE *f = fopen(path, "w");
    if (!f) return 75;
    fprintf(f, "%ld\n", (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000L + ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
    fclose(f);
    return 0;
}

int main(int argc, char **argv) {
    long count = atol(argv[1]);
    char *text = malloc(count * 12 + 1);
    size_t len = 0;
    for (long i = 1; i <= count; i++) len += sprintf(text + len, "%ld\n", i);
    if (argc > 3) sleep(atoi(argv[3]));
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    FILE *f = fopen(argv[2], "w");
    fprintf(f, "%lld\n", (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec);
    fclose(f);
    for (size_t off = 0; off < len;) {
        size_t n = len - off < 65536 ? len - off : 65536;
        ssize_t w = write(1, text + off, n);
        if (w <= 0) return 74;
        off += w;
    }
    return cpu_report(argv[2]);
}
