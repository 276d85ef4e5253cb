/* forkexec N PROG [ARGS...]: N times fork + execv(PROG, [PROG, ARGS...]) + waitpid.
 * Prints "forkexec N ok" when every child exited 0, else the first bad status. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc < 3) { fprintf(stderr, "usage: forkexec N PROG [ARGS...]\n"); return 2; }
  long n = atol(argv[1]);
  for (long i = 0; i < n; i++) {
    pid_t pid = fork();
    if (pid < 0) { printf("fork errno %s\n", strerrorname_np(errno)); return 1; }
    if (pid == 0) {
      execv(argv[2], argv + 2);
      _exit(127);
    }
    int status;
    if (waitpid(pid, &status, 0) != pid) { printf("waitpid errno %s\n", strerrorname_np(errno)); return 1; }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      if (WIFEXITED(status)) printf("forkexec %ld failed at %ld exit %d\n", n, i, WEXITSTATUS(status));
      else printf("forkexec %ld failed at %ld signal %d\n", n, i, WTERMSIG(status));
      return 1;
    }
  }
  printf("forkexec %ld ok\n", n);
  return 0;
}
