#!/bin/sh
# Installs what the tests and the benchmark need, with apt-get, only when running as root and only
# what is missing. Idempotent; prints nothing when everything is already there.
#   strace, proot          comparison columns of the benchmark
#   setpriv (util-linux)   the unprivileged (uid 65534) test group when the tests run as root
#   gcc, make              the C helpers and the compile benchmark
#   debootstrap            the Debian rootfs example
#   taskset (util-linux)   pinning in the benchmark
#   chromium               opens `tsbox report --html` pages headless (test/report.test.ts)
set -eu

missing=""
need() { # need COMMAND PACKAGE
  command -v "$1" >/dev/null 2>&1 || missing="$missing $2"
}
need strace strace
need proot proot
need setpriv util-linux
need taskset util-linux
need gcc gcc
need cc gcc
need make make
need chromium chromium
# debootstrap lives in /usr/sbin, which is not on every user's PATH.
command -v debootstrap >/dev/null 2>&1 || [ -x /usr/sbin/debootstrap ] || missing="$missing debootstrap"

[ -z "$missing" ] && exit 0
# Each package once.
missing=$(printf '%s\n' $missing | sort -u | tr '\n' ' ')

if [ "$(id -u)" != 0 ]; then
  echo "ensure-tools: missing: $missing(not root: install them yourself)" >&2
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-tools: missing: $missing(no apt-get on this system)" >&2
  exit 1
fi

echo "ensure-tools: installing $missing" >&2
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086  # word splitting of the package list is intended
if ! apt-get install -y -qq --no-install-recommends $missing >/dev/null 2>&1; then
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
