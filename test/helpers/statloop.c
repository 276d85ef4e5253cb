/* statloop N PATH: N stat() calls on PATH (glibc: newfstatat). Prints "statloop N ok" or the
 * first failure's errno name; exit 0 only if every call succeeded. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int main(int argc, char **argv) {
  if (argc != 3) { fprintf(stderr, "usage: statloop N PATH\n"); return 2; }
  long n = atol(argv[1]);
  struct stat st;
  for (long i = 0; i < n; i++) {
    if (stat(argv[2], &st) != 0) {
      printf("statloop %ld failed at %ld errno %s\n", n, i, strerrorname_np(errno));
      return 1;
    }
  }
  printf("statloop %ld ok\n", n);
  return 0;
}
