// listdir DIR {64|old}: prints the names in DIR, one per line, read with the raw getdents64 or
// the old getdents syscall (which glibc never uses, so a sandbox must filter it on its own).
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc != 3) { fprintf(stderr, "usage: listdir DIR 64|old\n"); return 2; }
  int old = strcmp(argv[2], "old") == 0;
  int fd = open(argv[1], O_RDONLY | O_DIRECTORY);
  if (fd < 0) { perror(argv[1]); return 1; }
  static char buf[1024]; // small on purpose: big folders take several calls
  for (;;) {
    long n = syscall(old ? SYS_getdents : SYS_getdents64, fd, buf, sizeof buf);
    if (n < 0) { perror("getdents"); return 1; }
    if (n == 0) break;
    for (long at = 0; at < n;) {
      unsigned short reclen = *(unsigned short *)(buf + at + 16);
      // linux_dirent64: name at 19; linux_dirent: name at 18 (its type is the record's last byte)
      printf("%s\n", buf + at + (old ? 18 : 19));
      at += reclen;
    }
  }
  return 0;
}
