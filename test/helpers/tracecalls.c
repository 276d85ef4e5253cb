/* tracecalls DIR [DENIED]: a known sequence of file syscalls for test/trace.test.ts, made with raw
 * syscall() so that the names are exactly these whatever the libc:
 *   openat(AT_FDCWD, DIR/traced.txt, O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC, 0640) → fd; write 6 bytes
 *   newfstatat(AT_FDCWD, DIR/traced.txt, buf, 0) → 0 (size 6)
 *   faccessat(AT_FDCWD, DIR/traced.txt, R_OK|W_OK) → 0
 *   mkdirat(AT_FDCWD, DIR/subdir, 0755) → 0;  unlinkat(AT_FDCWD, DIR/subdir, AT_REMOVEDIR) → 0
 *   unlinkat(AT_FDCWD, DIR/traced.txt, 0) → 0
 *   openat(AT_FDCWD, "/nonexistent-tsbox/x", O_RDONLY) → -1 ENOENT
 *   with DENIED: openat(AT_FDCWD, DENIED, O_RDONLY) → whatever the sandbox says
 * then prints "tracecalls ok SIZE" and exits 0 (1 with a message if a call that must work fails). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static int must(long r, const char *what) {
  if (r < 0) {
    fprintf(stderr, "tracecalls: %s: %s\n", what, strerror(errno));
    return 0;
  }
  return 1;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: tracecalls DIR [DENIED]\n");
    return 2;
  }
  char file[4096], sub[4096];
  snprintf(file, sizeof file, "%s/traced.txt", argv[1]);
  snprintf(sub, sizeof sub, "%s/subdir", argv[1]);
  long fd = syscall(SYS_openat, AT_FDCWD, file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  if (!must(fd, "openat")) return 1;
  if (write((int)fd, "hello\n", 6) != 6) return 1;
  close((int)fd);
  struct stat st;
  if (!must(syscall(SYS_newfstatat, AT_FDCWD, file, &st, 0), "newfstatat")) return 1;
  if (!must(syscall(SYS_faccessat, AT_FDCWD, file, R_OK | W_OK), "faccessat")) return 1;
  if (!must(syscall(SYS_mkdirat, AT_FDCWD, sub, 0755), "mkdirat")) return 1;
  if (!must(syscall(SYS_unlinkat, AT_FDCWD, sub, AT_REMOVEDIR), "unlinkat dir")) return 1;
  if (!must(syscall(SYS_unlinkat, AT_FDCWD, file, 0), "unlinkat")) return 1;
  syscall(SYS_openat, AT_FDCWD, "/nonexistent-tsbox/x", O_RDONLY);
  if (argc > 2) syscall(SYS_openat, AT_FDCWD, argv[2], O_RDONLY);
  printf("tracecalls ok %ld\n", (long)st.st_size);
  return 0;
}
