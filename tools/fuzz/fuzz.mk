# The mutation fuzzer (tools/fuzz/fuzz.c) over the parsers of untrusted input, built like the
# unit tests (host gcc, AddressSanitizer and UBSan). `make test` runs a short round count,
# `make fuzz` a long one; FUZZ_SEED picks the sequence (a failure prints how to replay it).
FUZZ_SOURCES := lib/elf.c lib/cpio.c lib/format.c kernel/machine.c hv/mmio_decode.c \
	servers/vmm/virtqueue.c servers/vmm/image.c
FUZZ_SOURCES += servers/vmm/blk_request.c
FUZZ_SEEDS := $(BUILD)/user/hello.elf $(BUILD)/fuzz/seed.cpio $(BUILD)/unit/fixtures/qemu-virt.dtb
FUZZ_SEED ?= 1
FUZZ_SHORT := 20000
FUZZ_LONG := 2000000

$(BUILD)/fuzz/fuzz: tools/fuzz/fuzz.c $(FUZZ_SOURCES) $(wildcard kernel/*.h lib/*.h hv/*.h \
		servers/vmm/*.h)
	@mkdir -p $(@D)
	$(call quiet,HOSTCC,$@)gcc $(UNIT_CFLAGS) -o $@ $< $(FUZZ_SOURCES) -lfdt

# A small archive of text files: the fixtures' sources.
$(BUILD)/fuzz/seed.cpio: $(wildcard tools/unit/fixtures/*.dts)
	@mkdir -p $(@D)
	$(call quiet,CPIO,$@)cd tools/unit/fixtures && ls | LC_ALL=C sort | \
		cpio -o -H newc --quiet > $(abspath $@)

.PHONY: fuzz-build fuzz-short fuzz
fuzz-build: $(BUILD)/fuzz/fuzz $(FUZZ_SEEDS)

fuzz-short: fuzz-build
	$(BUILD)/fuzz/fuzz $(FUZZ_SHORT) $(FUZZ_SEED) $(FUZZ_SEEDS)

fuzz: setup
	@$(MAKE) --no-print-directory fuzz-build
	$(BUILD)/fuzz/fuzz $(FUZZ_LONG) $(FUZZ_SEED) $(FUZZ_SEEDS)
FUZZ_SOURCES += servers/vmm/uart16550.c
FUZZ_SOURCES += servers/vmm/fuse_request.c
FUZZ_SOURCES += servers/vmm/agent_frame.c
FUZZ_SOURCES += tools/fuzz/fuzz_fs.c $(FS_HOST_SOURCES)
$(BUILD)/fuzz/fuzz: tools/fuzz/fuzz_fs.c $(FS_HOST_SOURCES) $(wildcard servers/fs/*.h tools/fuzz/*.h)
FUZZ_SOURCES += servers/vmm/net_frame.c servers/net/switch.c
FUZZ_SOURCES += servers/net/net_ring.c servers/net/offload.c
$(BUILD)/fuzz/fuzz: servers/net/switch.h servers/net/net_ring.h servers/net/offload.h
