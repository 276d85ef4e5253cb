#!/bin/sh
# Builds a Debian bookworm minbase root filesystem with debootstrap for the rootfs tests and the
# dev-environment example, into a cache folder outside the repository, and prints its path on
# stdout (messages go to stderr). A complete cache is reused: the stamp file is written last, so
# a folder without it (an interrupted build) is rebuilt.
#
#   scripts/rootfs-debian.sh [DIR]
#     DIR default: ${TSBOX_CACHE:-/var/tmp/tsbox-cache}/rootfs/bookworm-minbase
#     env: TSBOX_DEBIAN_MIRROR (default http://deb.debian.org/debian)
#
# Building needs root (debootstrap chroots, chowns and runs maintainer scripts as root); reusing
# a complete cache does not. Without root, get a rootfs rootlessly instead:
#   docker export "$(docker create debian:bookworm)" > bookworm.tar   # or any OCI image layout
#   npx tsbox rootfs import bookworm.tar ./rootfs
# It takes about two minutes with a good network (most of it is debootstrap's second stage).
set -eu

SUITE=bookworm
VARIANT=minbase
MIRROR=${TSBOX_DEBIAN_MIRROR:-http://deb.debian.org/debian}
CACHE=${TSBOX_CACHE:-/var/tmp/tsbox-cache}
DIR=${1:-$CACHE/rootfs/$SUITE-$VARIANT}
explicit=$# # 1 when the caller chose DIR
STAMP=$DIR.stamp
# What the stamp records: a cache built with other parameters is not reused.
WANT="tsbox-rootfs 1 suite=$SUITE variant=$VARIANT mirror=$MIRROR"

say() { echo "rootfs-debian: $*" >&2; }
die() { say "$*"; exit 1; }

# Folders of the default cache must belong to root or to us: /var/tmp is writable by everyone,
# and a rootfs planted there by someone else would be run by the tests.
mine() { # mine PATH...
  for p in "$@"; do
    [ -d "$p" ] && [ ! -L "$p" ] || return 1
    owner=$(stat -c %u "$p")
    [ "$owner" = 0 ] || [ "$owner" = "$(id -u)" ] || return 1
  done
}
complete() {
  if [ "$explicit" = 0 ]; then mine "$CACHE" "$(dirname "$DIR")" "$DIR" || return 1; fi
  [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$WANT" ] && [ -f "$DIR/etc/debian_version" ]
}

if complete; then
  echo "$DIR"
  exit 0
fi

if [ "$(id -u)" != 0 ]; then
  die "building $DIR needs root (debootstrap chroots and chowns). Run this script as root once
  (sudo $0), or build a rootfs without root: docker export a container (or save an OCI image
  layout) and run: npx tsbox rootfs import IMAGE.tar DIR"
fi

# The default cache sits in world-writable /var/tmp: as root, only ever build into folders root
# owns there, so nobody else can swap a path under us. A DIR given explicitly is the caller's.
owned_dir() { # owned_dir PATH: create as root 0755, or insist it is a root-owned folder
  if [ ! -e "$1" ]; then mkdir -p "$1" && chmod 0755 "$1"; fi
  [ -d "$1" ] && [ ! -L "$1" ] && [ "$(stat -c %u "$1")" = 0 ] ||
    die "$1 is not a root-owned folder: remove it or set TSBOX_CACHE"
}
parent=$(dirname "$DIR")
if [ "$explicit" = 0 ]; then
  owned_dir "$CACHE"
  owned_dir "$parent"
else
  mkdir -p "$parent"
fi

# One build at a time (test files may start concurrently); the loser reuses the winner's result.
exec 9>"$parent/.$(basename "$DIR").lock"
if command -v flock >/dev/null 2>&1; then flock 9; fi
if complete; then
  echo "$DIR"
  exit 0
fi

export PATH="$PATH:/usr/sbin:/sbin"
if ! command -v debootstrap >/dev/null 2>&1 || [ ! -f /usr/share/keyrings/debian-archive-keyring.gpg ]; then
  command -v apt-get >/dev/null 2>&1 || die "debootstrap is missing and there is no apt-get to install it"
  say "installing debootstrap"
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y -qq --no-install-recommends debootstrap debian-archive-keyring wget >/dev/null 2>&1; then
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends debootstrap debian-archive-keyring wget >/dev/null
  fi
fi

started=$(date +%s)
work=$DIR.partial
rm -rf "$work" "$STAMP"
say "debootstrap --variant=$VARIANT $SUITE from $MIRROR (a few minutes)"
log=$parent/.$(basename "$DIR").debootstrap.log
if ! debootstrap --variant="$VARIANT" --keyring=/usr/share/keyrings/debian-archive-keyring.gpg \
    "$SUITE" "$work" "$MIRROR" >"$log" 2>&1; then
  tail -n 30 "$log" >&2
  die "debootstrap failed (full log: $log)"
fi

# apt drops privileges to the _apt user (setresuid + setgroups) to download, then checks the drop
# worked. Under tsbox's fake root the id calls only pretend to succeed, so the check fails and
# every download dies; downloading as "root" (really the host user) is what is wanted anyway.
cat >"$work/etc/apt/apt.conf.d/99tsbox" <<'EOF'
// tsbox: apt runs under fake root (identity uid 0), where dropping privileges to _apt cannot
// really happen (setresuid is emulated) and apt's check that it did fails: download as "root".
APT::Sandbox::User "root";
EOF

# Device nodes: /dev is bound from the host at run time, and an ordinary user can neither create
# nor copy them (cp -a of the rootfs would fail).
find "$work" -xdev \( -type b -o -type c \) -delete
# This cache is root-owned and reachable by every user: a setuid-root file in it would be a real
# setuid-root program on the host. In the sandbox setuid bits never raise privilege anyway.
find "$work" -xdev -type f -perm /6000 -exec chmod ug-s {} +
# Readable by all, so uid 65534 (the unprivileged tests) can use and copy it (/etc/shadow
# included: this is a test rootfs with no passwords). chmod -R skips symlinks it meets.
chmod -R a+rX "$work"
rm -rf "$work/var/cache/apt/archives/"*.deb

rm -rf "$DIR"
mv "$work" "$DIR"
echo "$WANT" >"$STAMP"
size=$(du -sh "$DIR" | cut -f1)
say "built $DIR ($size) in $(( $(date +%s) - started ))s"
echo "$DIR"
