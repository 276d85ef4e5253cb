// floor-supervisor TRAPS GUEST HOST CMD ARGS...: the least any supervisor of tsbox's design must do
// for a workload, in C, for the benchmark's "same stops in C" column.
// TRAPS is what tsbox traps for the bench policy, as NR:ARG,NR:ARG,... (ARG: the argument holding
// the first path, -1 for none). CMD runs under a seccomp filter trapping exactly those numbers,
// followed across fork, vfork, clone and exec as tsbox follows it. Each trapped call costs what it
// costs tsbox at the least: GETREGS and a process_vm_readv of the path, then PTRACE_CONT; a stat
// family call whose path starts with GUEST/ is answered as tsbox answers it (stat of the host
// path, process_vm_writev, SETREGS skipping the call). No policy, no path resolution, no state:
// what is left is the cost of the stops themselves on this machine.
// `floor-supervisor --stub TRAPS CMD ARGS...` is only the traced side: it stops itself, installs
// the same filter once resumed, and execs CMD; test/bench/koffi-floor.ts supervises it from Node.js.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_TRAPS 256
static int trap_nr[MAX_TRAPS], trap_arg[MAX_TRAPS], traps;
static signed char path_arg_of[1024]; // syscall number -> argument holding its path, -1 for none

static int parse_traps(char *list) {
  memset(path_arg_of, -1, sizeof path_arg_of);
  for (char *item = strtok(list, ","); item; item = strtok(NULL, ",")) {
    int nr, arg;
    if (sscanf(item, "%d:%d", &nr, &arg) != 2 || nr < 0 || nr >= 1024 || arg < -1 || arg > 5 || traps == MAX_TRAPS) return -1;
    trap_nr[traps] = nr;
    trap_arg[traps++] = arg;
    path_arg_of[nr] = (signed char)arg;
  }
  return traps > 0 ? 0 : -1;
}

/** Stops (for the tracer's PTRACE_SEIZE), then traps the listed numbers and execs argv. */
static int become_traced(char **argv) {
  struct sock_filter code[MAX_TRAPS + 3];
  int n = 0;
  code[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
  for (int i = 0; i < traps; i++) // jump to the TRACE at the end when equal
    code[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)trap_nr[i], (unsigned char)(traps - i), 0);
  code[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
  code[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE);
  struct sock_fprog filter = { (unsigned short)n, code };
  raise(SIGSTOP);
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) || syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &filter)) return 126;
  execvp(argv[0], argv);
  return 127;
}

static unsigned long long arg_of(const struct user_regs_struct *r, int i) {
  const unsigned long long a[6] = { r->rdi, r->rsi, r->rdx, r->r10, r->r8, r->r9 };
  return a[i];
}

/** A stat family call through GUEST/, answered in the supervisor as tsbox does; 0 if not one. */
static int answer_stat(pid_t pid, struct user_regs_struct *regs, const char *path, const char *guest, const char *host) {
  size_t guest_len = strlen(guest);
  int nr = (int)regs->orig_rax, flags;
  unsigned long long buf;
  if (nr == SYS_newfstatat) flags = (int)regs->r10, buf = regs->rdx;
  else if (nr == SYS_stat) flags = 0, buf = regs->rsi;
  else if (nr == SYS_lstat) flags = AT_SYMLINK_NOFOLLOW, buf = regs->rsi;
  else return 0;
  if (strncmp(path, guest, guest_len) != 0 || path[guest_len] != '/') return 0;
  char host_path[8192];
  snprintf(host_path, sizeof host_path, "%s%s", host, path + guest_len);
  struct stat st;
  long result = fstatat(AT_FDCWD, host_path, &st, flags) == 0 ? 0 : -errno;
  if (result == 0) {
    struct iovec from = { &st, sizeof st }, to = { (void *)buf, sizeof st };
    if (process_vm_writev(pid, &from, 1, &to, 1, 0) != sizeof st) result = -EFAULT;
  }
  regs->orig_rax = -1;
  regs->rax = result;
  ptrace(PTRACE_SETREGS, pid, 0, regs);
  return 1;
}

int main(int argc, char **argv) {
  if (argc >= 4 && strcmp(argv[1], "--stub") == 0 && parse_traps(argv[2]) == 0) return become_traced(argv + 3);
  if (argc < 5 || parse_traps(argv[1]) != 0) {
    fprintf(stderr, "usage: floor-supervisor NR:ARG,... GUEST HOST CMD ARGS...\n       floor-supervisor --stub NR:ARG,... CMD ARGS...\n");
    return 2;
  }
  const char *guest = argv[2], *host = argv[3];
  pid_t root = fork();
  if (root == 0) _exit(become_traced(argv + 4));
  waitpid(root, NULL, WSTOPPED);
  long options = PTRACE_O_TRACESECCOMP | PTRACE_O_EXITKILL | PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEFORK |
                 PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC;
  if (ptrace(PTRACE_SEIZE, root, 0, options)) { perror("PTRACE_SEIZE"); return 125; }
  kill(root, SIGCONT);
  int exit_code = 125;
  char path[4096];
  for (;;) {
    int status;
    pid_t w = waitpid(-1, &status, __WALL);
    if (w < 0) return exit_code; // ECHILD: every tracee is gone
    if (WIFEXITED(status) || WIFSIGNALED(status)) {
      if (w == root) exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      continue;
    }
    int event = status >> 16, sig = WSTOPSIG(status);
    if (event == PTRACE_EVENT_SECCOMP) {
      struct user_regs_struct regs;
      ptrace(PTRACE_GETREGS, w, 0, &regs);
      int nr = (int)regs.orig_rax, arg = nr >= 0 && nr < 1024 ? path_arg_of[nr] : -1;
      if (arg >= 0) {
        struct iovec local = { path, 256 }, remote = { (void *)arg_of(&regs, arg), 256 };
        ssize_t got = process_vm_readv(w, &local, 1, &remote, 1, 0);
        path[got > 0 ? got : 0] = 0;
        path[255] = 0;
        answer_stat(w, &regs, path, guest, host);
      }
      ptrace(PTRACE_CONT, w, 0, 0);
    } else if (event != 0) {
      // fork, vfork, clone and exec events, a new child's first stop, the root's stop at seize
      // (the bench's workloads use no job control, so no group-stop needs to stay stopped).
      ptrace(PTRACE_CONT, w, 0, 0);
    } else {
      ptrace(PTRACE_CONT, w, 0, sig == SIGSTOP && w == root ? 0 : sig); // deliver the signal
    }
  }
}
