#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# libfuse.sh - build libfuse 3.17 from Debian 13's source package into
# DIR (build/libfuse), static, for systems whose libfuse is older than
# 3.16 (Debian 12 has 3.14): `data` needs FUSE passthrough, which libfuse
# has since 3.16.  The Makefile runs it; nothing outside DIR changes.
#
#   tools/libfuse.sh DIR      leaves DIR/include/*.h, DIR/lib/libfuse3.a,
#                             DIR/version and DIR/stamp (written last)
#
# The source comes through apt-get with a source list, lists and cache of
# its own under DIR/apt (the machine's apt configuration is not touched,
# only read for proxies and the like), checked against trixie's Release
# file with the Debian archive keyring; dpkg-source unpacks it with
# Debian's patches.  meson and ninja build only the library.
set -eu

dir=${1:?usage: tools/libfuse.sh DIR}
suite=trixie
mirror=${LIBFUSE_MIRROR:-http://deb.debian.org/debian}
keyring=/usr/share/keyrings/debian-archive-keyring.gpg

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
apt="$dir/apt"
rm -rf "$apt" "$dir/src" "$dir/build" "$dir/include" "$dir/lib" "$dir/stamp"
mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$dir/src"
echo "deb-src [signed-by=$keyring] $mirror $suite main" >"$apt/sources.list"

# The machine's sources.list.d is left out (sourceparts=-), and so is
# anything apt would otherwise write: lists, caches and its lock.
APT="apt-get -q -o Dir::Etc::sourcelist=$apt/sources.list -o Dir::Etc::sourceparts=-
	-o Dir::State::Lists=$apt/lists -o Dir::Cache=$apt/cache
	-o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache=
	-o APT::Sandbox::User=root"
echo "libfuse.sh: fetching fuse3 from Debian $suite's sources ($mirror)" >&2
# shellcheck disable=SC2086
$APT update >"$apt/update.log" 2>&1 || { cat "$apt/update.log" >&2; exit 1; }
# shellcheck disable=SC2086
(cd "$dir/src" && $APT source --download-only fuse3) >"$apt/source.log" 2>&1 ||
	{ cat "$apt/source.log" >&2; exit 1; }
# apt has checked every file against the signed index: the .dsc needs no
# signature check of its own (dpkg-source would look for a keyring).
(cd "$dir/src" && dpkg-source --no-check -x ./*.dsc fuse3) >"$apt/unpack.log" 2>&1 ||
	{ cat "$apt/unpack.log" >&2; exit 1; }

# The upstream version: the .dsc's, without epoch and Debian revision.
version=$(sed -n 's/^Version: \([0-9]*:\)\{0,1\}\([^-]*\).*/\2/p' "$dir/src/"*.dsc)
case $version in
3.1[6-9].* | 3.[2-9][0-9].*) ;;
*) echo "libfuse.sh: Debian $suite has libfuse '$version', not 3.16 or newer" >&2; exit 1 ;;
esac

# /usr as prefix: where the library looks for fusermount3 (the system's).
# No /etc/mtab updates (IGNORE_MTAB, which the disable-mtab option of 3.17
# no longer sets): /etc/mtab is /proc/mounts, and 3.17 would fork
# /bin/mount -f from the daemon at every mount to write it, as 3.14 did
# not.  CFLAGS and CPPFLAGS from the environment (dpkg-buildflags in a
# package build) are meson's too.
echo "libfuse.sh: building libfuse $version (static)" >&2
(
	cd "$dir/src/fuse3"
	CPPFLAGS="${CPPFLAGS:-} -DIGNORE_MTAB" \
		meson setup "$dir/build" --prefix=/usr --libdir=lib --buildtype=release \
		-Ddefault_library=static -Dexamples=false -Dutils=false -Dtests=false \
		-Dudevrulesdir=/nonexistent -Duseroot=false
	ninja -C "$dir/build"
) >"$dir/build.log" 2>&1 || { cat "$dir/build.log" >&2; exit 1; }

# The headers libfuse installs (include/meson.build lists them), and the
# configuration header the build made.
mkdir -p "$dir/include" "$dir/lib"
for h in $(grep -o "'[a-z_]*\.h'" "$dir/src/fuse3/include/meson.build" | tr -d "'"); do
	cp "$dir/src/fuse3/include/$h" "$dir/include/"
done
cp "$dir/build/libfuse_config.h" "$dir/include/"
cp "$dir/build/lib/libfuse3.a" "$dir/lib/"
echo "$version" >"$dir/version"
date +%s >"$dir/stamp"
echo "libfuse.sh: libfuse $version in $dir" >&2
