/*
 * actors-exec: what posix_spawn cannot do for a child, done in the child before the program runs (as systemd does
 * in its separate systemd-executor). The node starts it instead of the program only when the process declares user,
 * group, umask, limits, nice or oom-score-adjust, so an ordinary start costs nothing more.
 *
 *   actors-exec [-o OOM] [-l RESOURCE:SOFT:HARD]... [-n NICE] [-m UMASK] [-G GID,GID...] [-g GID] [-u UID] -- PATH ARGV0 ARGS...
 *
 * Every value was resolved and checked by the node (user and group names to ids, limits against the node's own):
 * this program parses numbers only and touches no name service. The steps run in the order that keeps the rights
 * they need: oom_score_adj, rlimits and nice while still root (lowering the first two and raising the third need
 * it), then umask, supplementary groups, gid and last uid. Then PATH is executed with ARGV0 ARGS... and the
 * environment unchanged: no shell, nothing re-split. On any failure it writes one line to stderr (the process's
 * log) naming the step and the reason, and exits 127 without running the program.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

extern char **environ;

static int fail(const char *step, const char *value) {
    fprintf(stderr, "actors-exec: %s %s: %s\n", step, value, strerror(errno));
    return 127;
}

static int usage(const char *what) {
    fprintf(stderr, "actors-exec: %s (this program is started by the actors node)\n", what);
    return 127;
}

/* A whole number in base 10 (or 8 for the umask), nothing else. */
static int number(const char *text, int base, long long *out) {
    char *end;
    errno = 0;
    long long v = strtoll(text, &end, base);
    if (errno != 0 || end == text || *end != '\0') return 0;
    *out = v;
    return 1;
}

static int limit_value(const char *text, rlim_t *out) {
    long long v;
    if (strcmp(text, "infinity") == 0) { *out = RLIM_INFINITY; return 1; }
    if (!number(text, 10, &v) || v < 0) return 0;
    *out = (rlim_t)v;
    return 1;
}

static int resource_of(const char *name) {
    if (strcmp(name, "nofile") == 0) return RLIMIT_NOFILE;
    if (strcmp(name, "nproc") == 0) return RLIMIT_NPROC;
    if (strcmp(name, "core") == 0) return RLIMIT_CORE;
    if (strcmp(name, "memlock") == 0) return RLIMIT_MEMLOCK;
    return -1;
}

int main(int argc, char **argv) {
    const char *oom = NULL, *nice_text = NULL, *umask_text = NULL, *groups = NULL, *gid_text = NULL, *uid_text = NULL;
    const char *limits[8];
    int nlimits = 0, i = 1;
    for (; i < argc && strcmp(argv[i], "--") != 0; i += 2) {
        if (i + 1 >= argc) return usage("an option without its value");
        const char *o = argv[i], *v = argv[i + 1];
        if (strcmp(o, "-o") == 0) oom = v;
        else if (strcmp(o, "-l") == 0 && nlimits < 8) limits[nlimits++] = v;
        else if (strcmp(o, "-n") == 0) nice_text = v;
        else if (strcmp(o, "-m") == 0) umask_text = v;
        else if (strcmp(o, "-G") == 0) groups = v;
        else if (strcmp(o, "-g") == 0) gid_text = v;
        else if (strcmp(o, "-u") == 0) uid_text = v;
        else return usage("an unknown option");
    }
    if (i + 2 >= argc) return usage("no program and argv[0] after --");
    const char *path = argv[i + 1];
    char **program_argv = argv + i + 2;

    long long v;
    if (oom) {
        int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
        if (fd < 0) return fail("oom-score-adjust", oom);
        ssize_t n = write(fd, oom, strlen(oom));
        close(fd);
        if (n < 0) return fail("oom-score-adjust", oom);
    }
    for (int k = 0; k < nlimits; k++) {
        char spec[128];
        snprintf(spec, sizeof spec, "%s", limits[k]);
        char *soft = strchr(spec, ':'), *hard = soft ? strchr(soft + 1, ':') : NULL;
        if (!soft || !hard) return usage("a limit that is not RESOURCE:SOFT:HARD");
        *soft++ = '\0';
        *hard++ = '\0';
        struct rlimit rl;
        int resource = resource_of(spec);
        if (resource < 0 || !limit_value(soft, &rl.rlim_cur) || !limit_value(hard, &rl.rlim_max)) return usage("a limit that does not parse");
        if (setrlimit(resource, &rl) != 0) return fail("setrlimit", limits[k]);
    }
    if (nice_text) {
        if (!number(nice_text, 10, &v)) return usage("a nice value that does not parse");
        if (setpriority(PRIO_PROCESS, 0, (int)v) != 0) return fail("nice", nice_text);
    }
    if (umask_text) {
        if (!number(umask_text, 8, &v) || v < 0 || v > 0777) return usage("a umask that does not parse");
        umask((mode_t)v);
    }
    if (groups) {
        gid_t list[256];
        int n = 0;
        char copy[4096];
        snprintf(copy, sizeof copy, "%s", groups);
        for (char *save, *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
            if (n == 256 || !number(tok, 10, &v) || v < 0) return usage("a group list that does not parse");
            list[n++] = (gid_t)v;
        }
        if (setgroups((size_t)n, list) != 0) return fail("setgroups", groups);
    }
    if (gid_text) {
        if (!number(gid_text, 10, &v) || v < 0) return usage("a gid that does not parse");
        if (setresgid((gid_t)v, (gid_t)v, (gid_t)v) != 0) return fail("setgid", gid_text);
    }
    if (uid_text) {
        if (!number(uid_text, 10, &v) || v < 0) return usage("a uid that does not parse");
        if (setresuid((uid_t)v, (uid_t)v, (uid_t)v) != 0) return fail("setuid", uid_text);
    }
    execve(path, program_argv, environ);
    return fail("cannot run", path);
}
