/* getpidloop N: N raw getpid() syscalls (never cached by libc). Prints "getpidloop N ok" when
 * every call returned the same pid. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc != 2) { fprintf(stderr, "usage: getpidloop N\n"); return 2; }
  long n = atol(argv[1]);
  long first = syscall(SYS_getpid), bad = 0;
  for (long i = 0; i < n; i++)
    if (syscall(SYS_getpid) != first) bad++;
  if (bad) { printf("getpidloop %ld mismatches %ld\n", n, bad); return 1; }
  printf("getpidloop %ld ok\n", n);
  return 0;
}
