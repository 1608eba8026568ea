/* The floor of the 64 KiB log row (bench/README.md, issue 14 item 3): a child writes seq's 6.9 MB for N lines into a
   pipe in 64 KiB writes, as tools/chunks.c does, and the parent reads the pipe into ./chunk_readers.log (a new file
   each run) in one of two ways; it prints the wall time from the child's first write until the file holds every
   byte, and the reader's CPU time from the fork on (it waits in epoll_wait while the child builds its text).
   The child builds the text itself after the fork, as chunks.c does: a writer's copies into the pipe from pages it
   has just written itself took 19-27 ms for the 6.9 MB here (by the vCPU it ran on), from pages it shares with its
   parent since the fork 14-16 ms (2026-12-03, writer_copies.c, pinned; bench/README.md, stop 33).
     rw      epoll, read() of up to READ bytes, write() of each read (the output pump's path; supervisord's with
             PIPE 0 and READ 131072)
     splice  epoll, splice() of up to READ bytes from the pipe straight into the file (no copy through user space;
             the file cannot be O_APPEND: Linux refuses to splice into one)
   PIPE: F_SETPIPE_SZ for the pipe, 0 for the kernel's default (64 KiB).
   usage: chunk_readers MODE N PIPE READ   (gcc -O2 -o chunk_readers chunk_readers.c) */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <errno.h>
/* Only EAGAIN (the pipe is empty) is expected; anything else (EINVAL: splice into an O_APPEND file) ends the run. */
static int errno_is_fatal(void) { return errno != EAGAIN && errno != EINTR; }
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }
static double cpu(void) {
  struct rusage ru; getrusage(RUSAGE_SELF, &ru);
  return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}
static char buf[1 << 20];
int main(int argc, char **argv) {
  if (argc < 5) { fprintf(stderr, "usage: chunk_readers rw|splice N PIPE READ\n"); return 64; }
  const char *mode = argv[1]; long count = atol(argv[2]); int pipe_size = atoi(argv[3]); long read_size = atol(argv[4]);
  if (read_size <= 0 || read_size > (long)sizeof buf) { fprintf(stderr, "READ must be 1..%zu\n", sizeof buf); return 64; }
  int spliced = !strcmp(mode, "splice");
  size_t len = 0;
  for (long i = 1; i <= count; i++) len += snprintf(NULL, 0, "%ld\n", i);
  /* The child's first write, CLOCK_MONOTONIC, where the parent sees it. */
  volatile double *first_write = mmap(NULL, sizeof(double), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (first_write == MAP_FAILED) { perror("mmap"); return 71; }
  int p[2]; pipe2(p, O_CLOEXEC); if (pipe_size) fcntl(p[0], F_SETPIPE_SZ, pipe_size);
  unlink("chunk_readers.log");
  int out = open("chunk_readers.log", O_WRONLY | O_CREAT | (spliced ? 0 : O_APPEND), 0644);
  double c0 = cpu();
  pid_t pid = fork();
  if (!pid) {
    close(p[0]);
    char *text = malloc(len + 1); size_t at = 0;
    for (long i = 1; i <= count; i++) at += sprintf(text + at, "%ld\n", i);
    *first_write = now();
    for (size_t off = 0; off < len;) {
      size_t n = len - off < 65536 ? len - off : 65536;
      ssize_t w = write(p[1], text + off, n);
      if (w <= 0) _exit(74);
      off += w;
    }
    _exit(0);
  }
  close(p[1]); fcntl(p[0], F_SETFL, O_NONBLOCK);
  int ep = epoll_create1(0); struct epoll_event ev = {.events = EPOLLIN}; epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev);
  long total = 0, rounds = 0; int done = 0;
  while (!done) {
    struct epoll_event e; epoll_wait(ep, &e, 1, -1); rounds++;
    for (;;) {
      ssize_t g = spliced ? splice(p[0], NULL, out, NULL, read_size, SPLICE_F_MOVE | SPLICE_F_NONBLOCK) : read(p[0], buf, read_size);
      if (g > 0) {
        if (!spliced && write(out, buf, g) != g) { perror("write"); return 74; }
        total += g;
        if (g < read_size && g > 4096) break; /* the pipe is empty: epoll says when more comes */
        continue;
      }
      if (g == 0) done = 1;
      else if (errno_is_fatal()) { perror(mode); return 74; }
      break;
    }
  }
  double t1 = now(), c1 = cpu(); int st; waitpid(pid, &st, 0);
  printf("%s pipe %d read %ld: wall %.2f ms, reader cpu %.2f ms, rounds %ld, bytes %ld\n", mode, pipe_size, read_size,
         (t1 - *first_write) * 1e3, (c1 - c0) * 1e3, rounds, total);
  return total == (long)len ? 0 : 1;
}
