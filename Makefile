# SPDX-License-Identifier: GPL-2.0-or-later
# ipcfs - System V IPC as a filesystem.
#
#   make            build build/ipcfs and its man page (installs missing Debian packages first)
#   make run        build and mount at ./mnt (MNT=...), in the background
#   make check      unit, integration and short fuzz runs, with the normal build
#                   and again with AddressSanitizer and UBSan; one last line
#                   "N passed, N failed[, N skipped]" sums both
#   make check-asan only the AddressSanitizer/UBSan pass
#   make fuzz       every libFuzzer harness in tests/fuzz, FUZZ_SECONDS each
#   make bench      ipcfs against the FUSE floor and the native calls: one table,
#                   written into doc/performance.md
#   make man        the man page, build/ipcfs.1 (man -l build/ipcfs.1)
#   make install    PREFIX=/usr/local DESTDIR= UNITDIR=$(PREFIX)/lib/systemd/system
#   make deb        the Debian package, checked by lintian, in build/deb/
#   make clean

PREFIX ?= /usr/local
DESTDIR ?=
BINDIR = $(PREFIX)/bin
UNITDIR ?= $(PREFIX)/lib/systemd/system
# Prometheus rules and Grafana dashboards, installed when there are some.
MONITORING ?= monitoring
BUILD ?= build
MNT ?= $(CURDIR)/mnt
CC ?= gcc
# The one source of the version: --version, the man page's .TH line and
# the package (`make deb` refuses a debian/changelog that says otherwise).
VERSION := $(shell cat VERSION)

OPT ?= -O2 -g
SAN ?=
WARN = -Wall -Wextra -Werror -Wmissing-declarations -Wwrite-strings -Wshadow
# libfuse: the system's when it is 3.16 or newer (FUSE passthrough, which
# `data` is served with); else 3.17, built from Debian 13's source package
# into build/libfuse by tools/libfuse.sh and linked statically (Debian 12
# has 3.14).  LIBFUSE=system or LIBFUSE=build on the command line chooses.
# Decided once per make, after `deps` (the targets that build run make
# again for that); build/libfuse is shared by every BUILD= directory.
LIBFUSE_DIR = build/libfuse
ifeq ($(origin LIBFUSE),undefined)
LIBFUSE := $(shell pkg-config --atleast-version=3.16 fuse3 2>/dev/null && echo system || echo build)
endif
ifeq ($(LIBFUSE),build)
FUSE_CFLAGS = -I$(LIBFUSE_DIR)/include
FUSE_LIBS = $(LIBFUSE_DIR)/lib/libfuse3.a -ldl
FUSE_DEP = $(LIBFUSE_DIR)/stamp
else
FUSE_CFLAGS = $(shell pkg-config --cflags fuse3)
FUSE_LIBS = $(shell pkg-config --libs fuse3)
FUSE_DEP =
endif
# Recursive (=) so pkg-config runs after `deps` installed it.
PKG_CFLAGS = $(FUSE_CFLAGS) $(shell pkg-config --cflags glib-2.0)
PKG_LIBS = $(FUSE_LIBS) $(shell pkg-config --libs glib-2.0)
ALL_CFLAGS = -std=gnu11 $(OPT) $(SAN) $(WARN) -D_GNU_SOURCE -Ifs $(PKG_CFLAGS) $(CPPFLAGS) $(CFLAGS)
ALL_LDFLAGS = $(SAN) $(LDFLAGS)

CORE_SRC = $(filter-out fs/main.c,$(wildcard fs/*.c)) $(wildcard backends/*.c)
CORE_OBJ = $(patsubst %.c,$(BUILD)/obj/%.o,$(CORE_SRC))
HDRS = $(wildcard fs/*.h backends/*.h)
UNIT_SRC = $(wildcard tests/unit/*.c)
HELPERS = $(patsubst tests/helpers/%.c,$(BUILD)/%,$(wildcard tests/helpers/*.c))
BENCH_BINS = $(patsubst tests/bench/%.c,$(BUILD)/bench/%,$(wildcard tests/bench/*.c))

# The sanitizer pass of `make check`, and `make check-asan`.
ASAN_VARS = BUILD=build/asan OPT="-O1 -g -fno-omit-frame-pointer" \
	SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined"

# libFuzzer harnesses (tests/fuzz/fuzz_*.c) need clang; the daemon's own
# sources are built again with its coverage instrumentation.
FUZZ_CC ?= $(shell command -v clang-14 || command -v clang || echo clang)
FUZZ_DIR = build/fuzz
FUZZ_SECONDS ?= 60
FUZZ_CFLAGS = -std=gnu11 -O1 -g -fno-omit-frame-pointer $(WARN) -D_GNU_SOURCE -Ifs \
	-fsanitize=address,undefined -fno-sanitize-recover=undefined $(PKG_CFLAGS)
FUZZ_OBJ = $(patsubst %.c,$(FUZZ_DIR)/obj/%.o,$(CORE_SRC))
FUZZ_BINS = $(patsubst tests/fuzz/%.c,$(FUZZ_DIR)/%,$(wildcard tests/fuzz/fuzz_*.c))
.SECONDARY: $(FUZZ_OBJ)

.PHONY: all deps run check check-build check-asan unit integration install install-files \
	install-data uninstall deb clean bench fuzz fuzz-build man

all: deps
	@$(MAKE) --no-print-directory $(BUILD)/ipcfs $(BUILD)/ipcfs.1

deps:
	@tools/deps.sh

$(BUILD)/obj/%.o: %.c $(HDRS) $(FUSE_DEP)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# Written last by tools/libfuse.sh: the headers and libfuse3.a are there.
$(LIBFUSE_DIR)/stamp: tools/libfuse.sh
	tools/libfuse.sh $(LIBFUSE_DIR)

$(BUILD)/obj/fs/main.o: VERSION
$(BUILD)/obj/fs/main.o: ALL_CFLAGS += -DIPCFS_VERSION='"$(VERSION)"'

$(BUILD)/ipcfs: $(BUILD)/obj/fs/main.o $(CORE_OBJ)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS) -lpthread

$(BUILD)/test-unit: $(UNIT_SRC) $(CORE_OBJ) $(HDRS) $(FUSE_DEP)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $(UNIT_SRC) $(CORE_OBJ) $(PKG_LIBS) -lpthread

$(FUZZ_DIR)/obj/%.o: %.c $(HDRS) $(FUSE_DEP)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FUZZ_DIR)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(FUZZ_OBJ)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_OBJ) $(PKG_LIBS) -lpthread

# The tests' own helper programs (tests/helpers/NAME.c), each built as
# $(BUILD)/NAME, which is how the scripts call them.
$(BUILD)/%: tests/helpers/%.c
	@mkdir -p $(BUILD)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< -lpthread

run: all
	@mkdir -p $(MNT)
	@if mountpoint -q $(MNT); then echo "$(MNT) is already mounted"; exit 1; fi
	$(BUILD)/ipcfs $(MNT)
	@echo
	@echo "ipcfs is mounted at $(MNT):"
	@ls -l $(MNT)
	@echo
	@echo "  browse:   ls -l $(MNT)/shm; cat $(MNT)/shm/ID/info; cat $(MNT)/limits"
	@echo "  unmount:  fusermount3 -u $(MNT)"

check: deps
	@tools/deps.sh test fuzz deb
	@$(MAKE) --no-print-directory check-build
	@$(MAKE) --no-print-directory check-build $(ASAN_VARS)
	@# Without clang the fuzzers are reported as skipped, not fatal.
	@$(MAKE) --no-print-directory fuzz-build || echo "make check: the fuzz harnesses did not build"
	@tests/check.sh $(BUILD) build/asan

check-build: $(BUILD)/ipcfs $(BUILD)/ipcfs.1 $(BUILD)/test-unit $(HELPERS) $(BUILD)/vgshim.so

# Preloaded into the daemon under valgrind (see the file); never sanitized.
$(BUILD)/vgshim.so: tests/valgrind/stat_any.c
	@mkdir -p $(BUILD)
	$(CC) -std=gnu11 -O2 -g $(WARN) -D_GNU_SOURCE -shared -fPIC -o $@ $< -ldl

check-asan: deps
	@tools/deps.sh test
	@$(MAKE) --no-print-directory check-build $(ASAN_VARS)
	@BUILD=build/asan FUZZ_SECONDS=0 tests/run.sh

fuzz-build: $(FUZZ_BINS)

# Longer runs than `make check` makes; the corpus grows in build/fuzz/corpus.
fuzz: deps
	@tools/deps.sh fuzz
	@$(MAKE) --no-print-directory fuzz-build
	@FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_KEEP=1 tests/fuzz/run.sh

# The benchmark's own programs (tests/bench/*.c: the FUSE floor and the
# timed loops), then tests/bench/bench.sh and the POSIX and namespace
# scripts; it takes some minutes.  What they print is collected in
# $(BUILD)/bench/results.md and written into doc/performance.md between its
# marker lines (tests/bench/write-doc.sh), unless BENCH_ONLY ran only some
# rows.
$(BUILD)/bench/%: tests/bench/%.c $(FUSE_DEP)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(PKG_LIBS) -lpthread

bench: all
	@$(MAKE) --no-print-directory $(BENCH_BINS) $(HELPERS)
	@rm -f $(BUILD)/bench/results.md
	@BUILD=$(BUILD) tests/bench/bench.sh
	@{ echo; echo "## POSIX kinds, namespaces, pipes and unix (each against the native calls, same run)"; echo; \
	  for s in tests/bench/posix_*.sh tests/bench/ns_*.sh tests/bench/pipes.sh tests/bench/unix.sh; do \
		[ -x "$$s" ] && BUILD=$(BUILD) "$$s" | sed 's/^/    /'; done; true; } | \
		tee -a $(BUILD)/bench/results.md
	@if [ -n "$$BENCH_ONLY" ]; then echo "make bench: BENCH_ONLY=$$BENCH_ONLY, doc/performance.md left as it was"; \
	else tests/bench/write-doc.sh $(BUILD)/bench/results.md doc/performance.md; fi

# The man page: doc/ipcfs.1.in is its template, never shown as it is
# (`man -l build/ipcfs.1` reads the page).
man: $(BUILD)/ipcfs.1
$(BUILD)/ipcfs.1: doc/ipcfs.1.in VERSION
	@mkdir -p $(BUILD)
	sed 's/@VERSION@/$(VERSION)/g' $< >$@

install: all
	@$(MAKE) --no-print-directory install-files

# What `make install` copies.  debian/rules calls it directly: a package
# build must not run tools/deps.sh (its dependencies are there, and it has
# no business with apt-get).
install-files: $(BUILD)/ipcfs install-data
	install -D -m 0755 $(BUILD)/ipcfs $(DESTDIR)$(BINDIR)/ipcfs

# All but the binary: the man page, the systemd units (tools/*.in get the
# binary's path), the files of $(MONITORING)/ if it exists.
UNITS_IN = $(wildcard tools/*.service.in)
UNITS = $(wildcard tools/*.service tools/*.timer)
MONITORING_FILES = $(wildcard $(MONITORING)/*.yml $(MONITORING)/*.json)
install-data: $(BUILD)/ipcfs.1
	install -D -m 0644 $(BUILD)/ipcfs.1 $(DESTDIR)$(PREFIX)/share/man/man1/ipcfs.1
	@rm -rf $(BUILD)/units && mkdir -p $(BUILD)/units
	for u in $(UNITS_IN); do sed 's|@bindir@|$(BINDIR)|g' $$u >$(BUILD)/units/$$(basename $$u .in); done
	install -D -m 0644 -t $(DESTDIR)$(UNITDIR) $(BUILD)/units/* $(UNITS)
	$(if $(MONITORING_FILES),install -D -m 0644 -t $(DESTDIR)$(PREFIX)/share/ipcfs $(MONITORING_FILES))

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/ipcfs $(DESTDIR)$(PREFIX)/share/man/man1/ipcfs.1
	rm -f $(patsubst tools/%.in,$(DESTDIR)$(UNITDIR)/%,$(UNITS_IN)) \
		$(patsubst tools/%,$(DESTDIR)$(UNITDIR)/%,$(UNITS))
	rm -rf $(DESTDIR)$(PREFIX)/share/ipcfs

# The Debian package.  dpkg-buildpackage leaves its results next to the
# source tree, so it builds a copy of the tree in build/deb/, where the
# .deb, .changes and lintian's report (lintian.txt) end up; a warning or
# an error from lintian fails the build.  Rebuilt only when a file of the
# package changed.
DEB_DIR = build/deb
DEB_FILES = Makefile VERSION $(shell find fs backends tools doc debian $(MONITORING) -type f 2>/dev/null)
deb:
	@tools/deps.sh deb
	@$(MAKE) --no-print-directory $(DEB_DIR)/lintian.txt
	@echo "make deb: $$(ls $(DEB_DIR)/ipcfs_$(VERSION)_*.deb);" \
		"lintian: $$(grep -c . $(DEB_DIR)/lintian.txt) tags ($(DEB_DIR)/lintian.txt)"

$(DEB_DIR)/lintian.txt: $(DEB_FILES)
	@v=$$(dpkg-parsechangelog -S Version); [ "$$v" = "$(VERSION)" ] || { \
		echo "debian/changelog is at $$v but VERSION says $(VERSION): add an entry (dch -v $(VERSION))"; \
		exit 1; }
	rm -rf $(DEB_DIR) && mkdir -p $(DEB_DIR)/ipcfs-$(VERSION)
	tar -c --exclude-vcs --exclude-vcs-ignores --exclude=./build --exclude=./mnt . | tar -x -C $(DEB_DIR)/ipcfs-$(VERSION)
	@# Nothing of this make (its command-line variables travel in MAKEFLAGS
	@# and the environment) reaches the package build: the flags are
	@# dpkg-buildflags' (DEB_CFLAGS_APPEND and the like change them).
	cd $(DEB_DIR)/ipcfs-$(VERSION) && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
		-u BUILD -u SAN -u OPT -u CFLAGS -u CPPFLAGS -u LDFLAGS -u CC \
		dpkg-buildpackage -us -uc
	lintian --fail-on error,warning $(DEB_DIR)/ipcfs_$(VERSION)_*.changes >$@.new || \
		{ cat $@.new; exit 1; }
	@mv $@.new $@

clean:
	rm -rf build
