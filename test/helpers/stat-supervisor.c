// stat-supervisor GUEST HOST CMD ARGS...: the floor of tsbox's design for one workload, in C, for
// the benchmark. It runs CMD under a seccomp filter that traps only newfstatat and answers each
// call whose path starts with GUEST/ the way tsbox answers a stat() through a bind: in one stop,
// with the same syscalls (GETREGS, process_vm_readv of the path, fstatat of the host path,
// process_vm_writev of the result, SETREGS with the syscall skipped, PTRACE_CONT, waitpid).
// No policy, no other syscall, no fork following: what is left is the cost of the stop itself.
// `stat-supervisor --stub CMD ARGS...` is only the traced side: it stops itself, installs the same
// filter once resumed, and execs CMD; test/bench/koffi-floor.ts supervises it from Node.js.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

/** Stops (for the tracer's PTRACE_SEIZE), then traps newfstatat and execs argv; only returns on failure. */
static int become_traced(char **argv) {
  struct sock_filter code[] = {
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_newfstatat, 0, 1),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  struct sock_fprog filter = { sizeof code / sizeof code[0], code };
  raise(SIGSTOP); // wait for the tracer's PTRACE_SEIZE: a trapped call needs a tracer
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) || syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &filter)) return 126;
  execvp(argv[0], argv);
  return 127;
}

static int start_traced(char **argv) {
  pid_t pid = fork();
  if (pid == 0) _exit(become_traced(argv));
  waitpid(pid, NULL, WSTOPPED);
  if (ptrace(PTRACE_SEIZE, pid, 0, PTRACE_O_TRACESECCOMP | PTRACE_O_EXITKILL)) { perror("PTRACE_SEIZE"); return -1; }
  kill(pid, SIGCONT);
  return pid;
}

int main(int argc, char **argv) {
  if (argc >= 3 && strcmp(argv[1], "--stub") == 0) return become_traced(argv + 2);
  if (argc < 4) { fprintf(stderr, "usage: stat-supervisor GUEST HOST CMD ARGS...\n"); return 2; }
  const char *guest = argv[1], *host = argv[2];
  size_t guest_len = strlen(guest);
  pid_t pid = start_traced(argv + 3);
  if (pid < 0) return 125;
  char path[4096], host_path[8192];
  for (;;) {
    int status;
    pid_t w = waitpid(-1, &status, __WALL);
    if (w < 0) return 125;
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    if (status >> 8 != (SIGTRAP | (PTRACE_EVENT_SECCOMP << 8))) {
      int sig = WSTOPSIG(status);
      ptrace(PTRACE_CONT, w, 0, (status >> 16) || sig == SIGSTOP ? 0 : sig);
      continue;
    }
    struct user_regs_struct regs;
    ptrace(PTRACE_GETREGS, w, 0, &regs);
    struct iovec local = { path, sizeof path - 1 }, remote = { (void *)regs.rsi, 256 };
    ssize_t got = process_vm_readv(w, &local, 1, &remote, 1, 0);
    path[got > 0 ? got : 0] = 0;
    path[sizeof path - 1] = 0;
    if (strncmp(path, guest, guest_len) == 0 && path[guest_len] == '/') {
      snprintf(host_path, sizeof host_path, "%s%s", host, path + guest_len);
      struct stat st;
      long result = fstatat(AT_FDCWD, host_path, &st, (int)regs.r10) == 0 ? 0 : -errno;
      if (result == 0) {
        struct iovec from = { &st, sizeof st }, to = { (void *)regs.rdx, sizeof st };
        if (process_vm_writev(w, &from, 1, &to, 1, 0) != sizeof st) result = -EFAULT;
      }
      regs.orig_rax = -1; // skip the call: the result is already in place
      regs.rax = result;
      ptrace(PTRACE_SETREGS, w, 0, &regs);
    }
    ptrace(PTRACE_CONT, w, 0, 0);
  }
}
