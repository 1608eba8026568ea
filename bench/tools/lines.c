/* Writes "line 1\n" .. "line N\n" to stdout, one write() per line, after stamping CLOCK_MONOTONIC
   nanoseconds into argv[2]: the log-throughput writer. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
int main(int argc, char **argv) {
    long count = atol(argv[1]);
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
    return 0;
}
