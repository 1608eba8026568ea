/* Floor for restart latency: a bare C supervisor loop, posix_spawn + waitpid of the stamp tool, 61 times. */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
extern char **environ;
int main(int argc, char **argv) {
    char *args[] = {argv[1], argv[2], "1", 0};
    for (int i = 0; i < 61; i++) { pid_t p; posix_spawn(&p, argv[1], 0, 0, args, environ); int st; waitpid(p, &st, 0); }
    return 0;
}
