# SPDX-License-Identifier: GPL-2.0-or-later
# ipcfs - System V IPC as a filesystem.
#
#   make            build build/ipcfs (installs missing Debian packages first)
#   make run        build and mount at ./mnt (MNT=...), in the background
#   make check      unit and integration tests; last line "N passed, N failed"
#   make check-asan the same, built with AddressSanitizer and UBSan
#   make install    PREFIX=/usr/local DESTDIR=
#   make clean

PREFIX ?= /usr/local
DESTDIR ?=
BUILD ?= build
MNT ?= $(CURDIR)/mnt
CC ?= gcc
PKGS = fuse3 glib-2.0

OPT ?= -O2 -g
SAN ?=
WARN = -Wall -Wextra -Werror -Wmissing-declarations -Wwrite-strings -Wshadow
# Recursive (=) so pkg-config runs after `deps` installed it.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS = $(shell pkg-config --libs $(PKGS))
ALL_CFLAGS = -std=gnu11 $(OPT) $(SAN) $(WARN) -D_GNU_SOURCE -Ifs $(PKG_CFLAGS) $(CFLAGS)
ALL_LDFLAGS = $(SAN) $(LDFLAGS)

CORE_SRC = $(filter-out fs/main.c,$(wildcard fs/*.c)) $(wildcard backends/*.c)
CORE_OBJ = $(patsubst %.c,$(BUILD)/obj/%.o,$(CORE_SRC))
HDRS = $(wildcard fs/*.h backends/*.h)
UNIT_SRC = $(wildcard tests/unit/*.c)
TOOLS = $(patsubst tools/%.c,$(BUILD)/%,$(wildcard tools/*.c))

.PHONY: all deps run check check-asan unit integration install uninstall clean bench fuzz

all: deps
	@$(MAKE) --no-print-directory $(BUILD)/ipcfs

deps:
	@tools/deps.sh

$(BUILD)/obj/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/ipcfs: $(BUILD)/obj/fs/main.o $(CORE_OBJ)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS) -lpthread

$(BUILD)/test-unit: $(UNIT_SRC) $(CORE_OBJ) $(HDRS)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $(UNIT_SRC) $(CORE_OBJ) $(PKG_LIBS) -lpthread

$(BUILD)/%: tools/%.c
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
	@tools/deps.sh test
	@$(MAKE) --no-print-directory $(BUILD)/ipcfs $(BUILD)/test-unit $(TOOLS)
	@BUILD=$(BUILD) tests/run.sh

check-asan:
	@$(MAKE) --no-print-directory check BUILD=build/asan OPT="-O1 -g -fno-omit-frame-pointer" \
		SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined"

install: all
	install -D -m 0755 $(BUILD)/ipcfs $(DESTDIR)$(PREFIX)/bin/ipcfs
	install -D -m 0644 doc/ipcfs.1 $(DESTDIR)$(PREFIX)/share/man/man1/ipcfs.1

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/ipcfs $(DESTDIR)$(PREFIX)/share/man/man1/ipcfs.1

clean:
	rm -rf build
