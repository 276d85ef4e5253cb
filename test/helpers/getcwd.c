/* getcwd [DIR]: optionally chdir(DIR), then report the cwd three ways:
 *   chdir DIR => 0|ERRNO
 *   getcwd => "PATH" len=N      (raw syscall: the kernel returns the length including the NUL)
 *   libc getcwd => "PATH"
 *   readlink /proc/self/cwd => "PATH"                                                       */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv) {
  char buf[PATH_MAX + 1];
  if (argc > 1) {
    long r = syscall(SYS_chdir, argv[1]);
    printf("chdir %s => %s\n", argv[1], r == 0 ? "0" : strerrorname_np(errno));
  }
  long len = syscall(SYS_getcwd, buf, sizeof buf);
  if (len < 0) printf("getcwd => %s\n", strerrorname_np(errno));
  else printf("getcwd => \"%s\" len=%ld\n", buf, len);
  if (getcwd(buf, sizeof buf)) printf("libc getcwd => \"%s\"\n", buf);
  else printf("libc getcwd => %s\n", strerrorname_np(errno));
  ssize_t n = readlink("/proc/self/cwd", buf, sizeof buf - 1);
  if (n < 0) printf("readlink /proc/self/cwd => %s\n", strerrorname_np(errno));
  else { buf[n] = 0; printf("readlink /proc/self/cwd => \"%s\"\n", buf); }
  return 0;
}
