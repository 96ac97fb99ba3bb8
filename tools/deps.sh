#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# deps.sh - install what building, running and testing ipcfs needs, when
# it is missing (Debian).  `make`, `make run` and `make check` call it, so a
# fresh machine needs nothing but gcc and make.
#
#   tools/deps.sh            build and run: libfuse3-dev fuse3 libglib2.0-dev pkg-config;
#                            where libfuse is older than 3.16, what building 3.17 from
#                            Debian 13's source package takes (tools/libfuse.sh): meson,
#                            ninja-build, dpkg-dev, debian-archive-keyring
#   tools/deps.sh test       also what the tests use (ipcs, python3, promtool, node_exporter,
#                            valgrind, rsync, setpriv/unshare/nsenter)
#   tools/deps.sh fuzz       clang and libFuzzer, for tests/fuzz (make fuzz)
#   tools/deps.sh postgres   PostgreSQL's server (tests/integration/postgres.sh asks for it)
#   tools/deps.sh deb        what `make deb` and its test use (dpkg-buildpackage,
#                            debhelper, lintian, systemd-analyze, strace)
#   tools/deps.sh PKG...     these Debian packages too (e.g. prometheus)
set -e

want=""
need() { # need PACKAGE CHECK-COMMAND...
	pkg=$1; shift
	if ! "$@" >/dev/null 2>&1; then want="$want $pkg"; fi
}

need pkg-config command -v pkg-config
need libfuse3-dev sh -c 'pkg-config --exists fuse3'
need libglib2.0-dev sh -c 'pkg-config --exists glib-2.0'
need fuse3 command -v fusermount3
# No libfuse 3.16 (FUSE passthrough) yet, or none at all: the Makefile
# builds libfuse from Debian 13's source package (tools/libfuse.sh).
if ! pkg-config --atleast-version=3.16 fuse3 2>/dev/null; then
	need meson command -v meson
	need ninja-build command -v ninja
	need dpkg-dev command -v dpkg-source
	need debian-archive-keyring test -e /usr/share/keyrings/debian-archive-keyring.gpg
fi
for a in "$@"; do
	case $a in
	test)
		need util-linux command -v ipcs
		need procps command -v ps
		need python3-minimal command -v python3
		# metrics are checked with promtool and scraped by node_exporter
		need prometheus command -v promtool
		need prometheus-node-exporter command -v prometheus-node-exporter
		# the daemon under valgrind (tests/integration/leaks.sh)
		need valgrind command -v valgrind
		# tools that walk a tree, over a whole mount (tests/integration/walkers.sh)
		need rsync command -v rsync
		# the man page as a user reads it (tests/integration/shm.sh)
		need man-db command -v man
		;;
	fuzz)
		# libFuzzer ships in the compiler-rt package, not with clang
		need clang-14 command -v clang-14
		need libclang-rt-14-dev sh -c 'ls /usr/lib/llvm-14/lib/clang/*/lib/linux/libclang_rt.fuzzer-*.a'
		;;
	postgres)
		# Debian's postgresql depends on the supported server, postgresql-NN
		need postgresql sh -c 'ls /usr/lib/postgresql/*/bin/pg_ctl'
		;;
	deb)
		need dpkg-dev command -v dpkg-buildpackage
		# Build-Depends: the package builds libfuse as `make` does
		need meson command -v meson
		need ninja-build command -v ninja
		need debhelper command -v dh
		# dpkg-checkbuilddeps asks for it whatever Build-Depends says
		need build-essential dpkg -s build-essential
		need fakeroot command -v fakeroot
		need lintian command -v lintian
		# the units are checked with systemd-analyze verify (no running
		# systemd needed), the daemon's system calls with strace
		need systemd command -v systemd-analyze
		need strace command -v strace
		;;
	*) need "$a" dpkg -s "$a" ;;
	esac
done
# pkg-config itself may be the missing piece: then both checks above failed.
[ -z "$want" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	SUDO=sudo
else
	SUDO=
fi
echo "deps.sh: installing:$want" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >&2
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $want >&2
