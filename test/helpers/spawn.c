/* spawn vfork|posix_spawn|clone|memfd PROG [ARGS...]: starts PROG once the given way, waits for it
 * and prints "spawn MODE exit N" (or "spawn MODE signal N"). posix_spawn is glibc's, which creates
 * the child with clone(CLONE_VM|CLONE_VFORK); vfork is the vfork(2) syscall; clone is a raw
 * clone(SIGCHLD) without CLONE_VM (a fork that does not go through glibc's fork()); memfd forks,
 * copies PROG into a memfd and runs that with fexecve (execveat(fd, "", AT_EMPTY_PATH)): a program
 * with no path at all. Exit 0 unless the child could not be started. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/** In a child: PROG's bytes into a memfd, then fexecve of it; returns only on failure. */
static void exec_from_memfd(char **argv) {
  int in = open(argv[0], O_RDONLY);
  int fd = memfd_create("prog", 0); // kept open across exec: a guest loader opens it by /proc path
  if (in < 0 || fd < 0) _exit(126);
  char buf[65536];
  for (ssize_t n; (n = read(in, buf, sizeof buf)) > 0;) if (write(fd, buf, (size_t)n) != n) _exit(126);
  close(in);
  fexecve(fd, argv, environ);
  printf("fexecve %s\n", strerrorname_np(errno));
  _exit(127);
}

int main(int argc, char **argv) {
  if (argc < 3) { fprintf(stderr, "usage: spawn vfork|posix_spawn|clone|memfd PROG [ARGS...]\n"); return 2; }
  const char *mode = argv[1];
  fflush(stdout);
  pid_t pid;
  if (!strcmp(mode, "posix_spawn")) {
    int e = posix_spawn(&pid, argv[2], NULL, NULL, argv + 2, environ);
    if (e) { printf("spawn %s failed %s\n", mode, strerrorname_np(e)); return 1; }
  } else if (!strcmp(mode, "vfork")) {
    pid = vfork();
    if (pid == 0) { execv(argv[2], argv + 2); _exit(127); }
  } else if (!strcmp(mode, "clone")) {
    pid = (pid_t)syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
    if (pid == 0) { execv(argv[2], argv + 2); _exit(127); }
  } else if (!strcmp(mode, "memfd")) {
    pid = fork();
    if (pid == 0) exec_from_memfd(argv + 2);
  } else { fprintf(stderr, "unknown mode %s\n", mode); return 2; }
  if (pid < 0) { printf("spawn %s failed %s\n", mode, strerrorname_np(errno)); return 1; }
  int status;
  if (waitpid(pid, &status, 0) != pid) { printf("waitpid %s\n", strerrorname_np(errno)); return 1; }
  if (WIFEXITED(status)) printf("spawn %s exit %d\n", mode, WEXITSTATUS(status));
  else printf("spawn %s signal %d\n", mode, WTERMSIG(status));
  return 0;
}
