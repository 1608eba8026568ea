/* Writes "1\n" .. "N\n" (seq's output, 6.9 MB for a million) to stdout in writes of at most 64 KiB, after
   stamping CLOCK_MONOTONIC nanoseconds into argv[2]: the buffered-writer log-throughput row. The whole text is
   built before the stamp, so only the writes and the supervisor's logging are timed. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
int main(int argc, char **argv) {
    long count = atol(argv[1]);
    char *text = malloc(count * 12 + 1);
    size_t len = 0;
    for (long i = 1; i <= count; i++) len += sprintf(text + len, "%ld\n", i);
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
    return 0;
}
