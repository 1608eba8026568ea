/* Writes "line 1\n" .. "line N\n" to stdout, one write() per line, (after SECONDS, argv[3], if given) after stamping CLOCK_MONOTONIC
   nanoseconds into argv[2]: the log-throughput writer. */
#include <fcntl.h>
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
    if (argc > 3) sleep(atoi(argv[3]));
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    FILE *f = fopen(argv[2], "w");
    fprintf(f, "%lld\n", (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec);
    fclose(f);
    char buf[32];
    for (long i = 1; i <= count; i++) {
        int n = snprintf(buf, sizeof buf, "line %ld\n", i);
        if (write(1, buf, n) != n) return 74;
    }
    return cpu_report(argv[2]);
}
