/*
 * actors: the command users type, in the published folder (README.md, Install). It runs no verb itself: it hands the
 * whole command line, unchanged, to one of the two programs beside it, by exec (the same pid, nothing in between):
 *
 *   run, exec, check-config, simulate, unit   ->  actors-node    the .NET program (Akka.NET): the node, and what reads
 *                                                                a configuration as the node does
 *   every other word (the client verbs, help, version, none)
 *                                             ->  actors-client  the same client verbs compiled ahead of time
 *                                                                (NativeAOT, src/Actors.Client): it starts in a few
 *                                                                milliseconds, where a .NET program takes about 80
 *
 * Why a C program and not the NativeAOT client handing the node verbs on: a .NET runtime, even compiled ahead of
 * time, sets SIGPIPE to ignored and opens descriptors of its own before Main, and an ignored signal and an open
 * descriptor survive exec. The node must get the environment, signals and descriptors its caller gave, as if it
 * had been started directly (systemd's Type=notify, a socket passed in, a shell's ignored SIGHUP under nohup).
 *
 * The list of node verbs is Cli.NodeVerbs (src/Actors.Node/Cli.cs); NativeFrontSpec checks that both agree.
 * On failure (a program missing beside this one) it says which and exits 1.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char *const node_verbs[] = {"run", "exec", "check-config", "simulate", "unit", NULL};

static int is_node_verb(const char *word) {
    for (const char *const *v = node_verbs; *v; v++)
        if (strcmp(word, *v) == 0) return 1;
    return 0;
}

int main(int argc, char **argv) {
    /* The folder this program is in: /proc/self/exe is the file itself, whichever symlink or PATH entry led here. */
    char path[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", path, sizeof path - 32);
    if (n <= 0) {
        fprintf(stderr, "actors: cannot find where this program is (/proc/self/exe: %s)\n", strerror(errno));
        return 1;
    }
    path[n] = '\0';
    char self[PATH_MAX];
    memcpy(self, path, (size_t)n + 1);
    char *slash = strrchr(path, '/');
    const char *program = argc > 1 && is_node_verb(argv[1]) ? "actors-node" : "actors-client";
    strcpy(slash + 1, program);
    execv(path, argv);
    fprintf(stderr, "actors: cannot run %s: %s; it belongs beside %s, as README.md's publish command lays them out\n",
            path, strerror(errno), self);
    return 1;
}
