/* socketcheck [PORT [UNIXDIR]]: which kinds of socket this process may create and use, by raw
 * syscall(), one line per call:   name args => fd|0|ERRNO
 *   socket AF_INET SOCK_STREAM, socket AF_INET6 SOCK_STREAM, socket AF_INET SOCK_DGRAM,
 *   socket AF_UNIX SOCK_STREAM, socketpair AF_UNIX SOCK_STREAM (+ a byte sent through it),
 *   socketpair AF_INET (always refused by the kernel: EOPNOTSUPP), and with PORT a TCP connect
 *   to 127.0.0.1:PORT; with UNIXDIR a named AF_UNIX socket UNIXDIR/s bound, connected to and
 *   removed again. Always exits 0 (the output is the result). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

static const char *ename(int e) {
  static char num[16];
  const char *n = strerrorname_np(e);
  if (n) return n;
  snprintf(num, sizeof num, "E%d", e);
  return num;
}

/* Prints "label => fd" (or "0" when plain) / "label => ERRNO"; returns r. */
static long show(const char *label, long r, int isfd) {
  int e = errno;
  if (r < 0) printf("%s => %s\n", label, ename(e));
  else if (isfd) printf("%s => fd\n", label);
  else printf("%s => %ld\n", label, r);
  return r;
}

static void trysocket(const char *label, int domain, int type) {
  long fd = show(label, syscall(SYS_socket, domain, type, 0), 1);
  if (fd >= 0) close(fd);
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  trysocket("socket AF_INET SOCK_STREAM", AF_INET, SOCK_STREAM);
  trysocket("socket AF_INET6 SOCK_STREAM", AF_INET6, SOCK_STREAM);
  trysocket("socket AF_INET SOCK_DGRAM", AF_INET, SOCK_DGRAM);
  trysocket("socket AF_UNIX SOCK_STREAM", AF_UNIX, SOCK_STREAM);

  int sv[2];
  if (show("socketpair AF_UNIX SOCK_STREAM", syscall(SYS_socketpair, AF_UNIX, SOCK_STREAM, 0, sv), 0) == 0) {
    char c = 0;
    show("socketpair write", write(sv[0], "x", 1), 0);
    long n = read(sv[1], &c, 1);
    printf("socketpair read => %s\n", n == 1 && c == 'x' ? "\"x\"" : "WRONG");
    close(sv[0]);
    close(sv[1]);
  }

  if (argc > 1) {
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((unsigned short)atoi(argv[1]));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) printf("connect 127.0.0.1:PORT => %s (socket)\n", ename(errno));
    else {
      show("connect 127.0.0.1:PORT", connect(fd, (struct sockaddr *)&a, sizeof a), 0);
      close(fd);
    }
  }

  if (argc > 2) {
    struct sockaddr_un u;
    memset(&u, 0, sizeof u);
    u.sun_family = AF_UNIX;
    snprintf(u.sun_path, sizeof u.sun_path, "%s/s", argv[2]);
    int s = socket(AF_UNIX, SOCK_STREAM, 0), c = socket(AF_UNIX, SOCK_STREAM, 0);
    show("bind unix DIR/s", bind(s, (struct sockaddr *)&u, sizeof u), 0);
    listen(s, 1);
    show("connect unix DIR/s", connect(c, (struct sockaddr *)&u, sizeof u), 0);
    int a2 = accept(s, NULL, NULL);
    char ch = 0;
    if (a2 >= 0 && write(c, "y", 1) == 1 && read(a2, &ch, 1) == 1 && ch == 'y') printf("unix stream => \"y\"\n");
    else printf("unix stream => WRONG\n");
    if (a2 >= 0) close(a2);
    close(c);
    close(s);
    show("unlink DIR/s", unlink(u.sun_path), 0);
  }
  printf("done\n");
  return 0;
}
