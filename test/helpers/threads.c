/* threads [-n ITER] PATH...: 4 pthreads each run ITER rounds of openat/newfstatat on every PATH
 * and getcwd, concurrently. Each thread keeps what it saw in round 0 and counts rounds that saw
 * something else. After the join, main prints per thread (in thread order, so the output is
 * deterministic):
 *   tN open PATH => fd|ERRNO
 *   tN stat PATH => reg|dir|lnk|...|ERRNO
 *   tN getcwd => "PATH"|ERRNO
 *   tN rounds=ITER inconsistent=K
 * and finally "ok" (exit 0) when no thread saw an inconsistency.
 * threads -x PROG ARGS...: a second thread execs PROG while the first waits: the kernel gives the
 * exec'ing thread the leader's pid and ends the others.                                    */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define NTHREADS 4
static int npaths, rounds = 100;
static char **paths;

struct worker { int id; long inconsistent; char out[8192]; };

static const char *ftype(mode_t m) {
  switch (m & S_IFMT) {
    case S_IFREG: return "reg"; case S_IFDIR: return "dir"; case S_IFLNK: return "lnk";
    case S_IFCHR: return "chr"; case S_IFBLK: return "blk"; case S_IFIFO: return "fifo";
    case S_IFSOCK: return "sock"; default: return "?";
  }
}

/* One round: everything this thread observes, as text. */
static void observe(char *buf, size_t size, int id) {
  size_t used = 0;
  for (int i = 0; i < npaths; i++) {
    long fd = syscall(SYS_openat, AT_FDCWD, paths[i], O_RDONLY | O_CLOEXEC);
    const char *o = fd >= 0 ? "fd" : strerrorname_np(errno);
    if (fd >= 0) close(fd);
    struct stat st;
    long r = syscall(SYS_newfstatat, AT_FDCWD, paths[i], &st, 0);
    const char *s = r == 0 ? ftype(st.st_mode) : strerrorname_np(errno);
    used += snprintf(buf + used, size - used, "t%d open %s => %s\nt%d stat %s => %s\n",
                     id, paths[i], o, id, paths[i], s);
  }
  char cwd[PATH_MAX];
  if (syscall(SYS_getcwd, cwd, sizeof cwd) >= 0)
    snprintf(buf + used, size - used, "t%d getcwd => \"%s\"\n", id, cwd);
  else
    snprintf(buf + used, size - used, "t%d getcwd => %s\n", id, strerrorname_np(errno));
}

static void *run(void *arg) {
  struct worker *w = arg;
  char now[sizeof w->out];
  observe(w->out, sizeof w->out, w->id);
  for (int r = 1; r < rounds; r++) {
    observe(now, sizeof now, w->id);
    if (strcmp(now, w->out) != 0) w->inconsistent++;
  }
  return NULL;
}

static char **exec_argv;
static void *exec_from_thread(void *unused) {
  (void)unused;
  execv(exec_argv[0], exec_argv);
  printf("execv errno %d\n", errno);
  exit(127);
}

int main(int argc, char **argv) {
  if (argc >= 3 && strcmp(argv[1], "-x") == 0) {
    exec_argv = argv + 2;
    pthread_t t;
    if (pthread_create(&t, NULL, exec_from_thread, NULL) != 0) { printf("pthread_create failed\n"); return 1; }
    for (;;) pause(); // ended by the other thread's exec
  }
  int a = 1;
  if (a + 1 < argc && strcmp(argv[a], "-n") == 0) { rounds = atoi(argv[a + 1]); a += 2; }
  static char *defaults[] = {"/", "/etc/passwd", ".", "/nonexistent"};
  if (a < argc) { paths = argv + a; npaths = argc - a; } else { paths = defaults; npaths = 4; }
  if (rounds < 1) rounds = 1;

  struct worker w[NTHREADS];
  pthread_t t[NTHREADS];
  for (int i = 0; i < NTHREADS; i++) {
    w[i].id = i; w[i].inconsistent = 0;
    if (pthread_create(&t[i], NULL, run, &w[i]) != 0) { printf("pthread_create failed\n"); return 1; }
  }
  long bad = 0;
  for (int i = 0; i < NTHREADS; i++) pthread_join(t[i], NULL);
  for (int i = 0; i < NTHREADS; i++) {
    fputs(w[i].out, stdout);
    printf("t%d rounds=%d inconsistent=%ld\n", i, rounds, w[i].inconsistent);
    bad += w[i].inconsistent;
  }
  if (bad) { printf("inconsistent\n"); return 1; }
  printf("ok\n");
  return 0;
}
