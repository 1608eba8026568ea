/* The writer's side of the 64 KiB log row (bench/README.md, issue 14 item 3, stop 33): how long a writer's 64 KiB
   write()s of seq's 6.9 MB for 1M lines take into a pipe that a reader drains into ./writer_copies.log at the same
   time, timed by the writer itself (wall and CPU of its write phase alone).
     TEXT    parent: the text is built before the fork, and the writer copies from pages it shares with its parent
             (as chunk_readers.c did until stop 33); self: the writer builds it after the fork, as tools/chunks.c does
     PIPE    F_SETPIPE_SZ for the pipe, 0 for the kernel's default (64 KiB)
     READ    the reader's read() size
     WCPU, RCPU  the vCPU the writer and the reader are pinned to
   usage: writer_copies TEXT PIPE READ WCPU RCPU   (gcc -O2 -o writer_copies writer_copies.c) */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
static double now_ms(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec * 1e3 + t.tv_nsec / 1e6; }
static double cpu_ms(void) {
  struct rusage r; getrusage(RUSAGE_SELF, &r);
  return (r.ru_utime.tv_sec + r.ru_stime.tv_sec) * 1e3 + (r.ru_utime.tv_usec + r.ru_stime.tv_usec) / 1e3;
}
static int pin(int cpu) { cpu_set_t s; CPU_ZERO(&s); CPU_SET(cpu, &s); return sched_setaffinity(0, sizeof s, &s); }
static size_t build(char **text, long count) {
  *text = malloc(count * 12 + 1); size_t len = 0;
  for (long i = 1; i <= count; i++) len += sprintf(*text + len, "%ld\n", i);
  return len;
}
static char buf[1 << 20];
int main(int argc, char **argv) {
  if (argc < 6) { fprintf(stderr, "usage: writer_copies parent|self PIPE READ WCPU RCPU\n"); return 64; }
  int by_self = !strcmp(argv[1], "self"); int pipe_size = atoi(argv[2]); long read_size = atol(argv[3]);
  if (read_size <= 0 || read_size > (long)sizeof buf) { fprintf(stderr, "READ must be 1..%zu\n", sizeof buf); return 64; }
  long count = 1000000; char *text = NULL; size_t len = by_self ? 0 : build(&text, count);
  int p[2];
  if (pipe(p) || (pipe_size && fcntl(p[1], F_SETPIPE_SZ, pipe_size) < 0)) { perror("pipe"); return 71; }
  pid_t pid = fork();
  if (pid < 0) { perror("fork"); return 71; }
  if (pin(atoi(argv[pid ? 5 : 4]))) { perror("sched_setaffinity"); return 71; }
  if (!pid) {
    close(p[0]);
    if (by_self) len = build(&text, count);
    double t0 = now_ms(), c0 = cpu_ms();
    for (size_t off = 0; off < len;) {
      ssize_t w = write(p[1], text + off, len - off < 65536 ? len - off : 65536);
      if (w <= 0) _exit(74);
      off += w;
    }
    printf("text %s pipe %d read %ld: writer wall %.1f ms, cpu %.1f ms\n", argv[1], pipe_size, read_size, now_ms() - t0, cpu_ms() - c0);
    fflush(stdout);
    _exit(0);
  }
  close(p[1]);
  int out = open("writer_copies.log", O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (out < 0) { perror("writer_copies.log"); return 73; }
  for (ssize_t got; (got = read(p[0], buf, read_size)) > 0;)
    if (write(out, buf, got) != got) { perror("write"); return 74; }
  int status; waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
