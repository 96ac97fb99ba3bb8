#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# throwaway-root.sh - run a command as root in a root directory that is
# thrown away when it ends, so that a test may install, configure and purge
# a package without changing this machine (tests/integration/package.sh).
#
#   tests/throwaway-root.sh CMD [ARG...]
#
# CMD runs chrooted in a private mount namespace whose / is an overlay:
# the machine's root filesystem below, an upper layer on a tmpfs above.
# Whatever it writes there (dpkg's database, /usr, /etc, /lib/systemd) lands
# in the tmpfs and is gone with the namespace.  Bound from the machine, so
# that they are the real ones: /proc, /sys, /dev (FUSE, ptys), /tmp (the
# test's work directory and the runner's result file) and the repository's
# build/ (the package built there is reused, and results persist).
# Mounts made inside (FUSE mounts included) stay inside.  The exit status
# is CMD's.  In the environment, IPCFS_THROWAWAY_ROOT=1 tells CMD where it is.
set -eu
[ $# -ge 1 ] || { echo "usage: $0 CMD [ARG...]" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "$0: needs root" >&2; exit 77; }
ROOT=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$ROOT/build"
LAYERS=$(mktemp -d /tmp/ipcfs-throwaway.XXXXXX)
trap 'rmdir "$LAYERS" 2>/dev/null || true' EXIT

# The inner shell's positional parameters are the command; the layers'
# directory, the repository and the working directory come as variables.
# shellcheck disable=SC2016
LAYERS=$LAYERS ROOT=$ROOT CWD=$PWD unshare --mount --propagation private bash -c '
	set -eu
	mount -t tmpfs -o mode=0700 ipcfs-throwaway "$LAYERS"
	mkdir "$LAYERS/upper" "$LAYERS/work" "$LAYERS/root"
	mount -t overlay ipcfs-throwaway -o "lowerdir=/,upperdir=$LAYERS/upper,workdir=$LAYERS/work" \
		"$LAYERS/root"
	for d in /proc /sys /dev; do
		mount --rbind "$d" "$LAYERS/root$d"
	done
	# Not recursive: the layers are mounted under /tmp themselves.
	for d in /tmp "$ROOT/build"; do
		mount --bind "$d" "$LAYERS/root$d"
	done
	exec chroot "$LAYERS/root" env IPCFS_THROWAWAY_ROOT=1 bash -c "cd \"\$1\" && shift && exec \"\$@\"" \
		sh "$CWD" "$@"
' sh "$@"
