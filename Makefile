# Vireo's build. `make run` and `make test` are all a new user needs (README.md).
#   make            build the kernel image and the boot file system
#   make run        install what is missing, build, boot to Vireo in QEMU
#   make test       host unit tests (cmocka), then QEMU system tests (pytest)
#   make bench      boot-time and size figures, printed and written to build/bench.json
#   make gdb        QEMU halted at the first instruction, gdb-multiarch attached

VERSION := 0.1.0
GIT := $(shell git describe --always --dirty 2>/dev/null || echo unknown)
CROSS ?= riscv64-linux-gnu-
BUILD := build
PYTHON := /usr/bin/python3

KCC := $(CROSS)gcc
KNM := $(CROSS)nm
# Freestanding C11 for HS-mode: no FPU state in the kernel, medany for code at 0x80200000,
# frame pointers for symbolized stack traces, and no linker relaxation so that the second
# link (with the symbol table) keeps every function where the first put it.
KCFLAGS := -std=c11 -O2 -g -march=rv64imac_zicsr_zifencei -mabi=lp64 -mcmodel=medany \
	-ffreestanding -fno-builtin -fno-tree-loop-distribute-patterns -fno-stack-protector \
	-fno-pie -fno-omit-frame-pointer -fno-optimize-sibling-calls -mno-relax \
	-Wall -Wextra -Werror -Wmissing-prototypes -Wshadow \
	-nostdinc -isystem $(shell $(KCC) -print-file-name=include) -Ikernel/include \
	-I$(BUILD)/libfdt -DVIREO_VERSION='"$(VERSION)"' -DVIREO_GIT='"$(GIT)"' -MMD -MP
KLDFLAGS := -nostdlib -static -no-pie -Wl,--no-relax -Wl,-T,linker/kernel.ld \
	-Wl,--gc-sections -Wl,-z,noexecstack -Wl,--no-warn-rwx-segments -Wl,--build-id=none

# `make V=1` shows whole command lines; by default each step prints one short line.
ifeq ($(V),1)
quiet =
else
quiet = @printf '  %-6s %s\n' '$(1)' '$(2)';
endif

include kernel/kernel.mk
include tools/unit/unit.mk

.PHONY: all run test unit systest bench gdb setup clean
all: $(BUILD)/vireo.elf $(BUILD)/bootfs.cpio

setup:
	@tools/setup.sh

run: setup
	@$(MAKE) --no-print-directory all
	tools/qemu.sh

gdb: setup
	@$(MAKE) --no-print-directory all
	tools/gdb.sh

test: setup
	@$(MAKE) --no-print-directory all $(BUILD)/test/vireo.elf unit-build
	@$(MAKE) --no-print-directory unit
	@$(MAKE) --no-print-directory systest

systest:
	cd tools/systest && $(PYTHON) -m pytest -q -p no:cacheprovider $(PYTEST_ARGS)

bench: setup
	@$(MAKE) --no-print-directory all
	$(PYTHON) tools/bench.py

# The boot file system (DESIGN.md 2): a newc cpio archive of build/bootfs/.
$(BUILD)/bootfs.cpio: $(BOOTFS_FILES)
	@mkdir -p $(BUILD)/bootfs/etc
	$(call quiet,CPIO,$@)echo "Vireo $(VERSION) ($(GIT))" > $(BUILD)/bootfs/etc/version; \
	cd $(BUILD)/bootfs && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --quiet > ../bootfs.cpio

clean:
	rm -rf $(BUILD)
