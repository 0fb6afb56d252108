# Vireo's build. `make run` and `make test` are all a new user needs (README.md).
#   make            build the kernel image and the boot file system
#   make run        install what is missing, build, boot to Vireo in QEMU
#   make test       host unit tests (cmocka, and pytest for tools/gdb), then QEMU system
#                   tests (pytest)
#   make bench      boot-time and size figures, printed and written to build/bench.json
#   make gdb        QEMU halted at the first instruction, gdb-multiarch attached with all
#                   symbols and the `vireo` commands (docs/debugging.md)
#   QEMU=10         run, test, bench and gdb on QEMU 10 from the Debian release's backports
#   SMP=N           N harts (default 1)

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
	-nostdinc -isystem $(shell $(KCC) -print-file-name=include) -Ilib/include -Ilib \
	-Iinclude -Ikernel -Ihv -I$(BUILD)/libfdt -DVIREO_VERSION='"$(VERSION)"' -DVIREO_GIT='"$(GIT)"' -MMD -MP
KLDFLAGS := -nostdlib -static -no-pie -Wl,--no-relax -Wl,-T,linker/kernel.ld \
	-Wl,--gc-sections -Wl,-z,noexecstack -Wl,--no-warn-rwx-segments -Wl,--build-id=none

# `make V=1` shows whole command lines; by default each step prints one short line.
ifeq ($(V),1)
quiet =
else
quiet = @printf '  %-6s %s\n' '$(1)' '$(2)';
endif

# The included files define rules of their own; plain `make` still means `make all`.
.DEFAULT_GOAL := all

include hv/hv.mk
include kernel/kernel.mk
include lib/lib.mk
include servers/init/init.mk servers/shell/shell.mk servers/vmm/vmm.mk drivers/uart/uart.mk
include drivers/virtio-blk/virtio-blk.mk servers/block/block.mk
include servers/fs/fs.mk tools/fsck/fsck.mk
include drivers/virtio-net/virtio-net.mk servers/net/net.mk
include tools/systest/programs/programs.mk
include guest/tests/tests.mk
include tools/unit/unit.mk
include tools/fuzz/fuzz.mk
include tools/gdb/gdb.mk
include guest/agent/agent.mk

.PHONY: all run test unit systest soak bench gdb setup clean
all: $(BUILD)/vireo.elf $(BUILD)/bootfs.cpio

# QEMU=10: tools/qemu.sh runs QEMU 10 and its OpenSBI from the backports of the machine's
# Debian release, unpacked into the cache by tools/qemu-backports.sh (fetched in setup, so
# that no test waits for it); without it, the system's QEMU.
ifneq ($(QEMU),)
export VIREO_QEMU := $(QEMU)
endif
fetch_qemu = $(if $(QEMU),@tools/qemu-backports.sh $(QEMU) >/dev/null)

# SMP=N: QEMU gives the machine N harts (tools/qemu.sh -smp), for run, test, bench and gdb.
ifneq ($(SMP),)
export VIREO_SMP := $(SMP)
endif

setup:
	@tools/setup.sh
	$(fetch_qemu)

# The host disk that `make run` gives QEMU (virtio-blk): created sparse on first run, grown
# (never shrunk) to DISK_MIB, kept across runs and by `make clean`. Its volumes are the
# guests' disks (`disk list` at the prompt).
DISK ?= $(HOME)/.cache/vireo/disk.img
DISK_MIB ?= 1024
# The NIC that `make run` gives QEMU (virtio-net) is on its user network, with the host's
# 127.0.0.1:NET_PORT forwarded to port 80 of the first guest's address (10.0.2.15).
NET_PORT ?= 8080

run: setup
	@$(MAKE) --no-print-directory all
	@mkdir -p "$(dir $(DISK))"
	@[ -f "$(DISK)" ] && [ $$(stat -c %s "$(DISK)") -ge $$(($(DISK_MIB) << 20)) ] || \
		truncate -s $(DISK_MIB)M "$(DISK)"
	tools/qemu.sh --disk "$(DISK)" --net $(NET_PORT)

# GUEST=path (one or more, space-separated) adds guests' symbols to those of the kernel, the
# programs and the Linux guest (docs/debugging.md).
gdb: setup
	@$(MAKE) --no-print-directory all
	tools/gdb.sh $(foreach g,$(GUEST),--guest $(g))

test: setup
	@$(MAKE) --no-print-directory all $(BUILD)/test/vireo.elf $(BUILD)/test/bootfs.cpio unit-build \
		fuzz-build
	@$(MAKE) --no-print-directory unit
	@$(MAKE) --no-print-directory gdb-unit
	@$(MAKE) --no-print-directory fuzz-short
	@$(MAKE) --no-print-directory systest

systest:
	$(fetch_qemu)
	cd tools/systest && $(PYTHON) -m pytest -q -p no:cacheprovider $(PYTEST_ARGS)

# The cycle tests (spawn/exit, Linux boot/poweroff) five times over: 1000 spawns and 100
# Linux boots, each checking that every page comes back. About ten minutes.
soak: setup
	@$(MAKE) --no-print-directory all $(BUILD)/test/vireo.elf $(BUILD)/test/bootfs.cpio
	cd tools/systest && VIREO_SOAK=5 $(PYTHON) -m pytest -q -p no:cacheprovider \
		-k "cycles" $(PYTEST_ARGS)

bench: setup
	@$(MAKE) --no-print-directory all $(BUILD)/test/bootfs.cpio
	$(PYTHON) tools/bench.py $(BENCH)

# The Linux guest (guest/linux/, docs/design.md 7): its script builds the kernel and busybox and
# caches them outside the clone, keyed by their inputs; here it only copies when cached.
LINUX_OUT := $(BUILD)/linux
LINUX_FILES := $(LINUX_OUT)/Image $(LINUX_OUT)/initramfs.cpio.gz
$(LINUX_FILES) &: guest/linux/build.sh guest/linux/config.fragment guest/linux/debug.fragment \
		guest/linux/busybox.config \
		guest/linux/init \
		$(AGENT_CPIO)
	guest/linux/build.sh $(LINUX_OUT)
	cat $(AGENT_CPIO) >> $(LINUX_OUT)/initramfs.cpio.gz
.PHONY: linux
linux: $(LINUX_FILES)

# The boot file system (docs/design.md 1): a newc cpio archive with the programs under bin/, the
# Linux guest under linux/ and etc/version. The test one adds the programs under
# tools/systest/programs as test/ and the test guests as guest/.
BOOTFS_BIN := $(BUILD)/user/init.elf $(BUILD)/user/uart.elf $(BUILD)/user/shell.elf \
	$(BUILD)/user/vmm.elf
BOOTFS_BIN += $(BUILD)/user/virtio-blk.elf $(BUILD)/user/block.elf
BOOTFS_BIN += $(BUILD)/user/fs.elf
BOOTFS_BIN += $(BUILD)/user/virtio-net.elf $(BUILD)/user/net.elf
TEST_BIN := $(patsubst %,$(BUILD)/user/%.elf,$(TEST_PROGRAMS))

# $(call pack_bootfs,STAGING_DIR,ARCHIVE,TEST_ELFS,GUEST_IMAGES)
define pack_bootfs
	@rm -rf $(1) && mkdir -p $(1)/bin $(1)/etc $(1)/linux $(if $(3),$(1)/test) $(if $(4),$(1)/guest)
	@cp $(LINUX_FILES) $(1)/linux/
	@echo "Vireo $(VERSION) ($(GIT))" > $(1)/etc/version
	@for f in $(BOOTFS_BIN); do $(CROSS)strip -o $(1)/bin/$$(basename $$f .elf) $$f; done
	@for f in $(3); do $(CROSS)strip -o $(1)/test/$$(basename $$f .elf) $$f; done
	@$(if $(3),seq -f "line %03g of a text file longer than one IPC message" 300 \
		> $(1)/test/lines.txt)
	@for f in $(4); do cp $$f $(1)/guest/; done
	@if [ -n "$(EXTRA)" ]; then mkdir -p $(1)/extra && cp -r "$(EXTRA)"/. $(1)/extra/; fi
	$(call quiet,CPIO,$(2))cd $(1) && find . -mindepth 1 | LC_ALL=C sort | \
		cpio -o -H newc --quiet > $(abspath $(2))
endef

# EXTRA=dir (make run EXTRA=dir) adds dir's files under /boot/extra; the archive is packed
# again whenever EXTRA changes.
$(BUILD)/extra.stamp: FORCE
	@mkdir -p $(@D)
	@echo "$(EXTRA)" | cmp -s - $@ || echo "$(EXTRA)" > $@
$(BUILD)/bootfs.cpio: $(BOOTFS_BIN) $(LINUX_FILES) Makefile $(BUILD)/extra.stamp $(if $(EXTRA),$(shell find "$(EXTRA)" -type f 2>/dev/null))
	$(call pack_bootfs,$(BUILD)/bootfs,$@,,)
# A Linux Image cut in half: it loads (the boot protocol counts the rest as BSS) and its
# kernel fails in the guest, which the monitor stops.
$(BUILD)/test/truncated-Image: $(LINUX_OUT)/Image
	@mkdir -p $(@D)
	head -c $$(( $$(stat -c %s $<) / 2 )) $< > $@
# Crafted boot image headers whose text_offset + image_size wraps past 2^64, for the monitor
# to refuse: text_offset 2 MiB below 2^64 (in a file of half its image_size), and image_size
# 1 MiB below 2^64.
CRAFTED_IMAGES := $(BUILD)/test/wrap-text-offset-Image $(BUILD)/test/wrap-image-size-Image
$(BUILD)/test/wrap-text-offset-Image: tools/linux-header.py
	@mkdir -p $(@D)
	$(call quiet,GEN,$@)$(PYTHON) $< $@ 0xffffffffffe00000 0x210000 0x108000
$(BUILD)/test/wrap-image-size-Image: tools/linux-header.py
	@mkdir -p $(@D)
	$(call quiet,GEN,$@)$(PYTHON) $< $@ 0x200000 0xfffffffffff00000 0x10000
# U-Boot's QEMU S-mode build from Debian's u-boot-qemu (tools/setup.sh): firmware that wants
# a 16550 console, for `vm run` (tools/systest/test_uart.py).
UBOOT_SMODE := /usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin
$(BUILD)/test/u-boot.bin: $(UBOOT_SMODE)
	@mkdir -p $(@D)
	cp $< $@
$(BUILD)/test/bootfs.cpio: $(BOOTFS_BIN) $(LINUX_FILES) $(TEST_BIN) $(GUEST_ELFS) $(GUEST_BINS) \
		$(BUILD)/test/truncated-Image $(CRAFTED_IMAGES) $(BUILD)/test/u-boot.bin Makefile
	@mkdir -p $(@D)
	$(call pack_bootfs,$(BUILD)/test/bootfs,$@,$(TEST_BIN),$(GUEST_ELFS) $(GUEST_BINS) \
		$(BUILD)/test/truncated-Image $(CRAFTED_IMAGES) $(BUILD)/test/u-boot.bin)
.PHONY: FORCE

clean:
	rm -rf $(BUILD)
