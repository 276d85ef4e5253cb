/* pathcalls DIR: exercises the path-taking syscalls on DIR (which must exist and be empty) by raw
 * syscall(), one line per call:   name args => result
 * Results are "0", "fd", "wd", an errno name, or what was read back. Every path that starts with
 * DIR is printed as "$D", so a native run on a host folder and a sandboxed run on the guest path
 * bound to it print the same text; a host path leaking into the sandbox shows up as a diff.
 * Everything it creates is removed at the end (DIR is left empty). Exit 0 unless DIR is unusable. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/xattr.h>
#include <unistd.h>

#if !defined(SYS_fchmodat2) && defined(__x86_64__)
#define SYS_fchmodat2 452
#endif

static const char *D;
static size_t DL;

/* "DIR/rel" in a small ring of buffers, so several can be live in one call. */
static const char *p(const char *rel) {
  static char ring[8][PATH_MAX];
  static int next;
  char *b = ring[next++ % 8];
  snprintf(b, PATH_MAX, "%s%s%s", D, *rel ? "/" : "", rel);
  return b;
}
/* The display form of a path: DIR replaced by "$D". */
static const char *show(const char *s) {
  static char ring[8][PATH_MAX];
  static int next;
  if (strncmp(s, D, DL) != 0 || (s[DL] != '/' && s[DL] != 0)) return s;
  char *b = ring[next++ % 8];
  snprintf(b, PATH_MAX, "$D%s", s + DL);
  return b;
}
static const char *ename(int e) {
  static char num[16];
  const char *n = strerrorname_np(e);
  if (n) return n;
  snprintf(num, sizeof num, "E%d", e);
  return num;
}

enum kind { NUM, FD, WD };
/* Prints "<label> => <result>" and returns r. errno is read before anything else runs. */
static long out(enum kind k, long r, const char *fmt, ...) {
  int e = errno;
  va_list ap;
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  if (r < 0) printf(" => %s\n", ename(e));
  else if (k == FD) printf(" => fd\n");
  else if (k == WD) printf(" => wd\n");
  else printf(" => %ld\n", r);
  return r;
}
#define CALL(label, ...) out(NUM, syscall(__VA_ARGS__), "%s", label)
#define CALLFD(label, ...) out(FD, syscall(__VA_ARGS__), "%s", label)

static char lbuf[2 * PATH_MAX];
static const char *L(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(lbuf, sizeof lbuf, fmt, ap);
  va_end(ap);
  return lbuf;
}

static const char *ftype(unsigned m) {
  switch (m & S_IFMT) {
    case S_IFREG: return "reg"; case S_IFDIR: return "dir"; case S_IFLNK: return "lnk";
    case S_IFCHR: return "chr"; case S_IFBLK: return "blk"; case S_IFIFO: return "fifo";
    case S_IFSOCK: return "sock"; default: return "?";
  }
}
/* Stable fields only: no inode, device or times; sizes only for regular files. */
static void statline(const char *label, long r, unsigned mode, long long size, unsigned nlink) {
  int e = errno;
  printf("%s => ", label);
  if (r < 0) { printf("%s\n", ename(e)); return; }
  printf("type=%s mode=%04o", ftype(mode), mode & 07777);
  if (S_ISREG(mode)) printf(" size=%lld nlink=%u", size, nlink);
  printf("\n");
}
static void fstatat_(int dfd, const char *path, int flags, const char *label) {
  struct stat st;
  long r = syscall(SYS_newfstatat, dfd, path, &st, flags);
  statline(label, r, st.st_mode, st.st_size, st.st_nlink);
}
static void statx_(int dfd, const char *path, int flags, const char *label) {
  struct statx sx;
  long r = syscall(SYS_statx, dfd, path, flags, STATX_BASIC_STATS, &sx);
  statline(label, r, sx.stx_mode, sx.stx_size, sx.stx_nlink);
}
static void readlink_(int dfd, const char *path, const char *label) {
  char b[PATH_MAX];
  long n = syscall(SYS_readlinkat, dfd, path, b, sizeof b - 1);
  int e = errno;
  if (n < 0) { printf("%s => %s\n", label, ename(e)); return; }
  b[n] = 0;
  printf("%s => \"%s\"\n", label, show(b));
}
static void getcwd_(const char *label) {
  char b[PATH_MAX];
  long n = syscall(SYS_getcwd, b, sizeof b);
  int e = errno;
  if (n < 0) printf("%s => %s\n", label, ename(e));
  else printf("%s => \"%s\" len=%s\n", label, show(b), (size_t)n == strlen(b) + 1 ? "ok" : "WRONG");
}
static void listdir(int dfd, const char *label) {
  char buf[8192], names[64][NAME_MAX + 1];
  int count = 0;
  lseek(dfd, 0, SEEK_SET);
  for (;;) {
    long n = syscall(SYS_getdents64, dfd, buf, sizeof buf);
    if (n < 0) { printf("%s => %s\n", label, ename(errno)); return; }
    if (n == 0) break;
    for (long off = 0; off < n;) {
      struct dirent64 *d = (struct dirent64 *)(buf + off);
      if (strcmp(d->d_name, ".") && strcmp(d->d_name, "..") && count < 64)
        snprintf(names[count++], NAME_MAX + 1, "%s", d->d_name);
      off += d->d_reclen;
    }
  }
  qsort(names, count, sizeof names[0], (int (*)(const void *, const void *))strcmp);
  printf("%s => [", label);
  for (int i = 0; i < count; i++) printf("%s%s", i ? " " : "", names[i]);
  printf("]\n");
}
static void sockname(int fd, int peer, const char *label) {
  struct sockaddr_un a;
  socklen_t len = sizeof a;
  memset(&a, 0, sizeof a);
  long r = peer ? getpeername(fd, (struct sockaddr *)&a, &len) : getsockname(fd, (struct sockaddr *)&a, &len);
  if (r < 0) printf("%s => %s\n", label, ename(errno));
  else printf("%s => \"%s\"\n", label, show(a.sun_path));
}
static socklen_t unaddr(struct sockaddr_un *a, const char *path) {
  memset(a, 0, sizeof *a);
  a->sun_family = AF_UNIX;
  snprintf(a->sun_path, sizeof a->sun_path, "%s", path);
  return sizeof *a;
}
static void xattrs(void) {
  const char *f = p("sub/f");
  char v[64], list[1024];
  CALL("setxattr $D/sub/f user.tsbox", SYS_setxattr, f, "user.tsbox", "v1", 2, 0);
  long n = syscall(SYS_getxattr, f, "user.tsbox", v, sizeof v);
  if (n < 0) printf("getxattr $D/sub/f user.tsbox => %s\n", ename(errno));
  else printf("getxattr $D/sub/f user.tsbox => \"%.*s\"\n", (int)n, v);
  CALL("lsetxattr $D/sub/f user.tsbox2", SYS_lsetxattr, f, "user.tsbox2", "v2", 2, 0);
  n = syscall(SYS_lgetxattr, f, "user.tsbox2", v, sizeof v);
  if (n < 0) printf("lgetxattr $D/sub/f user.tsbox2 => %s\n", ename(errno));
  else printf("lgetxattr $D/sub/f user.tsbox2 => \"%.*s\"\n", (int)n, v);
  for (int l = 0; l < 2; l++) {
    n = syscall(l ? SYS_llistxattr : SYS_listxattr, f, list, sizeof list);
    printf("%s $D/sub/f user.* => ", l ? "llistxattr" : "listxattr");
    if (n < 0) { printf("%s\n", ename(errno)); continue; }
    printf("[");
    int first = 1;
    for (char *s = list; s < list + n; s += strlen(s) + 1)
      if (!strncmp(s, "user.", 5)) { printf("%s%s", first ? "" : " ", s); first = 0; }
    printf("]\n");
  }
  CALL("getxattr $D/sub/missing user.tsbox", SYS_getxattr, p("sub/missing"), "user.tsbox", v, sizeof v);
  CALL("removexattr $D/sub/f user.tsbox", SYS_removexattr, f, "user.tsbox");
  CALL("lremovexattr $D/sub/f user.tsbox2", SYS_lremovexattr, f, "user.tsbox2");
  CALL("removexattr $D/sub/f user.tsbox", SYS_removexattr, f, "user.tsbox");
}
static void sockets(void) {
  struct sockaddr_un a;
  int s = socket(AF_UNIX, SOCK_STREAM, 0), c = socket(AF_UNIX, SOCK_STREAM, 0);
  out(NUM, bind(s, (struct sockaddr *)&a, unaddr(&a, p("sub/sock"))), "bind stream $D/sub/sock");
  listen(s, 1);
  sockname(s, 0, "getsockname stream");
  fstatat_(AT_FDCWD, p("sub/sock"), 0, "newfstatat AT_FDCWD $D/sub/sock 0");
  out(NUM, connect(c, (struct sockaddr *)&a, unaddr(&a, p("sub/sock"))), "connect stream $D/sub/sock");
  sockname(c, 1, "getpeername stream");
  int c2 = socket(AF_UNIX, SOCK_STREAM, 0);
  out(NUM, connect(c2, (struct sockaddr *)&a, unaddr(&a, p("sub/nosock"))), "connect stream $D/sub/nosock");
  close(c2); close(c); close(s);

  int d = socket(AF_UNIX, SOCK_DGRAM, 0), e = socket(AF_UNIX, SOCK_DGRAM, 0);
  out(NUM, bind(d, (struct sockaddr *)&a, unaddr(&a, p("sub/dsock"))), "bind dgram $D/sub/dsock");
  out(NUM, sendto(e, "x", 1, 0, (struct sockaddr *)&a, unaddr(&a, p("sub/dsock"))), "sendto dgram $D/sub/dsock");
  char ch;
  out(NUM, recv(d, &ch, 1, MSG_DONTWAIT), "recv dgram");
  /* sendmsg carries the address inside struct msghdr */
  char payload = 'y';
  struct iovec v = { &payload, 1 };
  struct msghdr m = { .msg_name = &a, .msg_iov = &v, .msg_iovlen = 1 };
  m.msg_namelen = unaddr(&a, p("sub/dsock"));
  out(NUM, sendmsg(e, &m, 0), "sendmsg dgram $D/sub/dsock");
  out(NUM, recv(d, &ch, 1, MSG_DONTWAIT), "recv dgram after sendmsg");
  m.msg_namelen = unaddr(&a, p("sub/nosock"));
  out(NUM, sendmsg(e, &m, 0), "sendmsg dgram $D/sub/nosock");
  /* sendmmsg: an address in each message; the kernel sets each msg_len */
  struct sockaddr_un b;
  char two[2] = { 'a', 'b' };
  struct iovec v1 = { &two[0], 1 }, v2 = { &two[1], 1 };
  struct mmsghdr mm[2];
  memset(mm, 0, sizeof mm);
  mm[0].msg_hdr = (struct msghdr){ .msg_name = &a, .msg_namelen = unaddr(&a, p("sub/dsock")), .msg_iov = &v1, .msg_iovlen = 1 };
  mm[1].msg_hdr = (struct msghdr){ .msg_name = &b, .msg_namelen = unaddr(&b, p("sub/dsock")), .msg_iov = &v2, .msg_iovlen = 1 };
  out(NUM, sendmmsg(e, mm, 2, 0), "sendmmsg dgram 2x $D/sub/dsock");
  printf("  msg_len %u %u\n", mm[0].msg_len, mm[1].msg_len);
  out(NUM, recv(d, &ch, 1, MSG_DONTWAIT), "recv dgram after sendmmsg");
  out(NUM, recv(d, &ch, 1, MSG_DONTWAIT), "recv dgram after sendmmsg");
  mm[1].msg_hdr.msg_namelen = unaddr(&b, p("sub/nosock"));
  mm[0].msg_len = mm[1].msg_len = 7;
  out(NUM, sendmmsg(e, mm, 2, 0), "sendmmsg dgram $D/sub/dsock $D/sub/nosock");
  printf("  msg_len %u %u\n", mm[0].msg_len, mm[1].msg_len);
  mm[0].msg_hdr.msg_namelen = unaddr(&a, p("sub/nosock"));
  out(NUM, sendmmsg(e, mm, 2, 0), "sendmmsg dgram $D/sub/nosock first");
  close(e); close(d);
}

int main(int argc, char **argv) {
  if (argc != 2 || argv[1][0] != '/' || strlen(argv[1]) < 2) {
    fprintf(stderr, "usage: pathcalls /ABSOLUTE/EMPTY/DIR\n");
    return 2;
  }
  static char dir[PATH_MAX];
  snprintf(dir, sizeof dir, "%s", argv[1]);
  while (strlen(dir) > 1 && dir[strlen(dir) - 1] == '/') dir[strlen(dir) - 1] = 0;
  D = dir; DL = strlen(D);
  setvbuf(stdout, NULL, _IOLBF, 0);
  umask(022); /* modes printed below must not depend on the caller's umask */
  unsigned uid = getuid(), gid = getgid();
  struct open_how how;

  if (CALL("chdir $D", SYS_chdir, D) < 0) return 1;
  getcwd_("getcwd");
  CALL("mkdirat AT_FDCWD $D/sub 0755", SYS_mkdirat, AT_FDCWD, p("sub"), 0755);
  CALL("mkdirat AT_FDCWD $D/sub 0755", SYS_mkdirat, AT_FDCWD, p("sub"), 0755);

  /* open family */
  long fd = CALLFD("openat AT_FDCWD $D/sub/f O_CREAT|O_WRONLY|O_TRUNC 0644", SYS_openat, AT_FDCWD,
                   p("sub/f"), O_CREAT | O_WRONLY | O_TRUNC, 0644);
  if (fd < 0) return 1;
  out(NUM, write(fd, "hello", 5), "write");
  close(fd);
  long ffd = CALLFD("openat AT_FDCWD sub/f O_RDONLY", SYS_openat, AT_FDCWD, "sub/f", O_RDONLY);
  char rb[16] = {0};
  if (ffd >= 0) printf("read => \"%.*s\"\n", (int)read(ffd, rb, sizeof rb - 1), rb);
  CALL("openat AT_FDCWD $D/sub/missing O_RDONLY", SYS_openat, AT_FDCWD, p("sub/missing"), O_RDONLY);
  long dfd = CALLFD("openat AT_FDCWD $D/sub O_DIRECTORY", SYS_openat, AT_FDCWD, p("sub"), O_RDONLY | O_DIRECTORY);
  if (dfd < 0) return 1;
  fd = CALLFD("openat dfd f O_RDONLY", SYS_openat, dfd, "f", O_RDONLY); if (fd >= 0) close(fd);
  fd = CALLFD("openat dfd ../sub/f O_RDONLY", SYS_openat, dfd, "../sub/f", O_RDONLY); if (fd >= 0) close(fd);
  memset(&how, 0, sizeof how); how.flags = O_RDONLY; how.resolve = RESOLVE_NO_SYMLINKS;
  fd = CALLFD("openat2 AT_FDCWD $D/sub/f RESOLVE_NO_SYMLINKS", SYS_openat2, AT_FDCWD, p("sub/f"), &how, sizeof how);
  if (fd >= 0) close(fd);
  how.resolve = RESOLVE_BENEATH;
  fd = CALLFD("openat2 dfd f RESOLVE_BENEATH", SYS_openat2, dfd, "f", &how, sizeof how); if (fd >= 0) close(fd);
  CALL("openat2 dfd ../sub/f RESOLVE_BENEATH", SYS_openat2, dfd, "../sub/f", &how, sizeof how);

  /* stat family */
  fstatat_(AT_FDCWD, p("sub/f"), 0, "newfstatat AT_FDCWD $D/sub/f 0");
  fstatat_(ffd, "", AT_EMPTY_PATH, "newfstatat ffd \"\" AT_EMPTY_PATH");
  fstatat_(dfd, "f", 0, "newfstatat dfd f 0");
  fstatat_(dfd, "", AT_EMPTY_PATH, "newfstatat dfd \"\" AT_EMPTY_PATH");
  fstatat_(AT_FDCWD, p("sub/../sub/f"), 0, "newfstatat AT_FDCWD $D/sub/../sub/f 0");
  fstatat_(AT_FDCWD, p("nonexistent"), 0, "newfstatat AT_FDCWD $D/nonexistent 0");
  statx_(AT_FDCWD, p("sub/f"), 0, "statx AT_FDCWD $D/sub/f 0");
  statx_(ffd, "", AT_EMPTY_PATH, "statx ffd \"\" AT_EMPTY_PATH");
  statx_(dfd, "f", AT_SYMLINK_NOFOLLOW, "statx dfd f AT_SYMLINK_NOFOLLOW");
  CALL("faccessat AT_FDCWD $D/sub/f R_OK", SYS_faccessat, AT_FDCWD, p("sub/f"), R_OK);
  CALL("faccessat2 AT_FDCWD $D/sub/f R_OK|W_OK 0", SYS_faccessat2, AT_FDCWD, p("sub/f"), R_OK | W_OK, 0);
  CALL("faccessat2 dfd f X_OK 0", SYS_faccessat2, dfd, "f", X_OK, 0);
  CALL("faccessat2 AT_FDCWD $D/missing F_OK AT_SYMLINK_NOFOLLOW", SYS_faccessat2, AT_FDCWD, p("missing"), F_OK, AT_SYMLINK_NOFOLLOW);

  /* links */
  CALL("symlinkat f dfd link", SYS_symlinkat, "f", dfd, "link");
  CALL("symlinkat $D/sub/f AT_FDCWD $D/sub/abslink", SYS_symlinkat, p("sub/f"), AT_FDCWD, p("sub/abslink"));
  readlink_(dfd, "link", "readlinkat dfd link");
  readlink_(AT_FDCWD, p("sub/abslink"), "readlinkat AT_FDCWD $D/sub/abslink");
  readlink_(AT_FDCWD, p("sub/f"), "readlinkat AT_FDCWD $D/sub/f");
  fstatat_(AT_FDCWD, p("sub/abslink"), 0, "newfstatat AT_FDCWD $D/sub/abslink 0");
  fstatat_(AT_FDCWD, p("sub/abslink"), AT_SYMLINK_NOFOLLOW, "newfstatat AT_FDCWD $D/sub/abslink AT_SYMLINK_NOFOLLOW");
  fd = CALLFD("openat AT_FDCWD $D/sub/abslink O_RDONLY", SYS_openat, AT_FDCWD, p("sub/abslink"), O_RDONLY); if (fd >= 0) close(fd);
  CALL("linkat dfd f dfd hard 0", SYS_linkat, dfd, "f", dfd, "hard", 0);
  fstatat_(dfd, "f", 0, "newfstatat dfd f 0");
  CALL("linkat AT_FDCWD $D/sub/f AT_FDCWD $D/sub/hard 0", SYS_linkat, AT_FDCWD, p("sub/f"), AT_FDCWD, p("sub/hard"), 0);
  CALL("renameat2 dfd hard AT_FDCWD $D/sub/hard2 0", SYS_renameat2, dfd, "hard", AT_FDCWD, p("sub/hard2"), 0);
  CALL("renameat2 dfd hard2 dfd f RENAME_NOREPLACE", SYS_renameat2, dfd, "hard2", dfd, "f", RENAME_NOREPLACE);
#ifdef SYS_renameat
  CALL("renameat AT_FDCWD $D/sub/hard2 dfd hard3", SYS_renameat, AT_FDCWD, p("sub/hard2"), dfd, "hard3");
#else
  CALL("renameat2 AT_FDCWD $D/sub/hard2 dfd hard3 0", SYS_renameat2, AT_FDCWD, p("sub/hard2"), dfd, "hard3", 0);
#endif

  /* metadata */
  CALL("fchmodat AT_FDCWD $D/sub/f 0600", SYS_fchmodat, AT_FDCWD, p("sub/f"), 0600);
  fstatat_(AT_FDCWD, p("sub/f"), 0, "newfstatat AT_FDCWD $D/sub/f 0");
#ifdef SYS_fchmodat2
  CALL("fchmodat2 AT_FDCWD $D/sub/f 0644 AT_SYMLINK_NOFOLLOW", SYS_fchmodat2, AT_FDCWD, p("sub/f"), 0644, AT_SYMLINK_NOFOLLOW);
#else
  CALL("fchmodat AT_FDCWD $D/sub/f 0644", SYS_fchmodat, AT_FDCWD, p("sub/f"), 0644);
#endif
  CALL("fchownat AT_FDCWD $D/sub/f self 0", SYS_fchownat, AT_FDCWD, p("sub/f"), uid, gid, 0);
  CALL("fchownat dfd link -1 -1 AT_SYMLINK_NOFOLLOW", SYS_fchownat, dfd, "link", -1, -1, AT_SYMLINK_NOFOLLOW);
  CALL("truncate $D/sub/f 2", SYS_truncate, p("sub/f"), 2);
  fstatat_(AT_FDCWD, p("sub/f"), 0, "newfstatat AT_FDCWD $D/sub/f 0");
  struct timespec ts[2] = {{1000000000, 0}, {1000000000, 0}};
  CALL("utimensat AT_FDCWD $D/sub/f 1000000000 0", SYS_utimensat, AT_FDCWD, p("sub/f"), ts, 0);
  struct stat st;
  if (syscall(SYS_newfstatat, AT_FDCWD, p("sub/f"), &st, 0) == 0) printf("mtime $D/sub/f => %ld\n", (long)st.st_mtime);
  CALL("utimensat dfd link NULL AT_SYMLINK_NOFOLLOW", SYS_utimensat, dfd, "link", NULL, AT_SYMLINK_NOFOLLOW);
  CALL("mknodat AT_FDCWD $D/sub/fifo S_IFIFO|0644 0", SYS_mknodat, AT_FDCWD, p("sub/fifo"), S_IFIFO | 0644, 0);
  fstatat_(dfd, "fifo", 0, "newfstatat dfd fifo 0");
  xattrs();
  struct statfs sf;
  CALL("statfs $D", SYS_statfs, D, &sf);
  CALL("statfs $D/missing", SYS_statfs, p("missing"), &sf);

  /* inotify, unix sockets */
  int ifd = inotify_init1(IN_CLOEXEC);
  out(WD, syscall(SYS_inotify_add_watch, ifd, p("sub"), IN_CREATE), "inotify_add_watch $D/sub IN_CREATE");
  out(WD, syscall(SYS_inotify_add_watch, ifd, p("missing"), IN_CREATE), "inotify_add_watch $D/missing IN_CREATE");
  close(ifd);
  sockets();

  /* exec of things that cannot run (the call fails and returns) */
  char *nargv[] = {"x", NULL}, *nenv[] = {NULL};
  CALL("execve $D/sub/missing", SYS_execve, p("sub/missing"), nargv, nenv);
  CALL("execve $D/sub/f", SYS_execve, p("sub/f"), nargv, nenv);
  CALL("execveat dfd missing 0", SYS_execveat, dfd, "missing", nargv, nenv, 0);

  /* cwd */
  CALL("chdir $D/sub", SYS_chdir, p("sub"));
  getcwd_("getcwd");
  readlink_(AT_FDCWD, "/proc/self/cwd", "readlink /proc/self/cwd");
  char fdlink[64];
  snprintf(fdlink, sizeof fdlink, "/proc/self/fd/%ld", ffd);
  readlink_(AT_FDCWD, fdlink, "readlink /proc/self/fd/ffd");
  fd = CALLFD("openat AT_FDCWD f O_RDONLY", SYS_openat, AT_FDCWD, "f", O_RDONLY); if (fd >= 0) close(fd);
  fstatat_(AT_FDCWD, "../sub/f", 0, "newfstatat AT_FDCWD ../sub/f 0");
  CALL("chdir ..", SYS_chdir, "..");
  getcwd_("getcwd");
  CALL("fchdir dfd", SYS_fchdir, dfd);
  getcwd_("getcwd");
  CALL("chdir $D", SYS_chdir, D);

  /* the legacy (non-*at) calls, where the architecture has them */
#ifdef SYS_open
  fd = CALLFD("open $D/sub/f O_RDONLY", SYS_open, p("sub/f"), O_RDONLY); if (fd >= 0) close(fd);
  fd = CALLFD("creat $D/sub/c 0644", SYS_creat, p("sub/c"), 0644); if (fd >= 0) close(fd);
  struct stat lst;
  long r = syscall(SYS_stat, p("sub/abslink"), &lst);
  statline("stat $D/sub/abslink", r, lst.st_mode, lst.st_size, lst.st_nlink);
  r = syscall(SYS_lstat, p("sub/abslink"), &lst);
  statline("lstat $D/sub/abslink", r, lst.st_mode, lst.st_size, lst.st_nlink);
  CALL("access $D/sub/f R_OK", SYS_access, p("sub/f"), R_OK);
  char lb[PATH_MAX];
  long n = syscall(SYS_readlink, p("sub/link"), lb, sizeof lb - 1);
  if (n < 0) printf("readlink $D/sub/link => %s\n", ename(errno));
  else printf("readlink $D/sub/link => \"%.*s\"\n", (int)n, lb);
  CALL("mkdir $D/sub/d 0755", SYS_mkdir, p("sub/d"), 0755);
  CALL("rename $D/sub/d $D/sub/d2", SYS_rename, p("sub/d"), p("sub/d2"));
  CALL("rmdir $D/sub/d2", SYS_rmdir, p("sub/d2"));
  CALL("link $D/sub/c $D/sub/c2", SYS_link, p("sub/c"), p("sub/c2"));
  CALL("symlink c $D/sub/c3", SYS_symlink, "c", p("sub/c3"));
  CALL("chmod $D/sub/c 0600", SYS_chmod, p("sub/c"), 0600);
  CALL("chown $D/sub/c self", SYS_chown, p("sub/c"), uid, gid);
  CALL("lchown $D/sub/c3 self", SYS_lchown, p("sub/c3"), uid, gid);
  CALL("mknod $D/sub/fifo2 S_IFIFO|0644", SYS_mknod, p("sub/fifo2"), S_IFIFO | 0644, 0);
  CALL("utimes $D/sub/c NULL", SYS_utimes, p("sub/c"), NULL);
  CALL("utime $D/sub/c NULL", SYS_utime, p("sub/c"), NULL);
  CALL("futimesat dfd c NULL", SYS_futimesat, dfd, "c", NULL);
  listdir(dfd, "getdents64 dfd");
  CALL("unlink $D/sub/c2", SYS_unlink, p("sub/c2"));
  CALL("unlink $D/sub/c3", SYS_unlink, p("sub/c3"));
  CALL("unlink $D/sub/fifo2", SYS_unlink, p("sub/fifo2"));
  CALL("unlink $D/sub/c", SYS_unlink, p("sub/c"));
#endif

  /* Names as long as the kernel refuses: no NUL within PATH_MAX bytes is ENAMETOOLONG, not a
   * fault; one byte less is a name the kernel reads (then too long a component, or missing). */
  {
    static char longname[PATH_MAX + 64];
    for (size_t n = PATH_MAX - 1; n <= PATH_MAX + 1; n++) {
      snprintf(longname, sizeof longname, "%s/", D);
      size_t at = strlen(longname);
      memset(longname + at, 'x', n - at);
      longname[n] = 0;
      CALL(L("newfstatat name of %zu bytes", n), SYS_newfstatat, AT_FDCWD, longname, &(struct stat){0}, 0);
      CALLFD(L("openat name of %zu bytes", n), SYS_openat, AT_FDCWD, longname, O_RDONLY);
      CALL(L("mkdir name of %zu bytes", n), SYS_mkdir, longname, 0755);
      CALL(L("execve name of %zu bytes", n), SYS_execve, longname, (char *[]){longname, NULL}, (char *[]){NULL});
    }
  }

  /* cleanup */
  listdir(dfd, "getdents64 dfd");
  CALL("unlinkat AT_FDCWD $D/sub AT_REMOVEDIR", SYS_unlinkat, AT_FDCWD, p("sub"), AT_REMOVEDIR);
  static const char *names[] = {"f", "link", "abslink", "hard3", "fifo", "sock", "dsock"};
  for (unsigned i = 0; i < sizeof names / sizeof *names; i++)
    CALL(L("unlinkat dfd %s 0", names[i]), SYS_unlinkat, dfd, names[i], 0);
  CALL("unlinkat dfd f 0", SYS_unlinkat, dfd, "f", 0);
  close(ffd);
  close(dfd);
  CALL("unlinkat AT_FDCWD $D/sub AT_REMOVEDIR", SYS_unlinkat, AT_FDCWD, p("sub"), AT_REMOVEDIR);
  long top = syscall(SYS_openat, AT_FDCWD, D, O_RDONLY | O_DIRECTORY);
  listdir(top, "getdents64 $D");
  close(top);
  printf("done\n");
  return 0;
}
