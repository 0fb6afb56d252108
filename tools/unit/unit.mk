# Host unit tests (cmocka) for the kernel's pure logic, compiled natively from the same
# sources as the kernel, with the sanitizers on. Each tools/unit/test_NAME.c is one program;
# unit_deps_NAME lists the kernel sources it tests. Device-tree fixtures are compiled from
# tools/unit/fixtures/*.dts with dtc.

UNIT_TESTS := $(patsubst tools/unit/test_%.c,%,$(wildcard tools/unit/test_*.c))
UNIT_CFLAGS := -std=c11 -O1 -g -Wall -Wextra -Werror -Wmissing-prototypes -Ikernel -Ilib -Ihv \
	-Iinclude \
	-Iservers/vmm -Iservers/block \
	-fsanitize=address,undefined -fno-sanitize-recover=all -D_GNU_SOURCE \
	-DFIXTURES='"$(BUILD)/unit/fixtures"'
UNIT_LIBS := -lcmocka -lfdt
UNIT_FIXTURES := $(patsubst tools/unit/fixtures/%.dts,$(BUILD)/unit/fixtures/%.dtb,\
	$(wildcard tools/unit/fixtures/*.dts))

unit_deps_format := lib/format.c
unit_deps_machine := kernel/machine.c lib/format.c
unit_deps_page_alloc := kernel/page_alloc.c
unit_deps_pagetable := kernel/pagetable.c kernel/page_alloc.c
unit_deps_elf := lib/elf.c
unit_deps_cpio := lib/cpio.c

.SECONDEXPANSION:
$(BUILD)/unit/test_%: tools/unit/test_%.c $$(unit_deps_$$*) \
		$$(wildcard kernel/*.h lib/*.h hv/*.h servers/vmm/*.h servers/block/*.h)
	@mkdir -p $(@D)
	$(call quiet,HOSTCC,$@)gcc $(UNIT_CFLAGS) -o $@ $< $(unit_deps_$*) $(UNIT_LIBS)

$(BUILD)/unit/fixtures/%.dtb: tools/unit/fixtures/%.dts
	@mkdir -p $(@D)
	$(call quiet,DTC,$@)dtc -q -I dts -O dtb -o $@ $<

.PHONY: unit-build
unit-build: $(addprefix $(BUILD)/unit/test_,$(UNIT_TESTS)) $(UNIT_FIXTURES)

# Runs every test program even when one fails, then fails if any did.
unit: unit-build
	@failed=0; for t in $(UNIT_TESTS); do \
		$(BUILD)/unit/test_$$t || failed=1; done; exit $$failed
unit_deps_vplic := hv/vplic.c
unit_deps_mmio_decode := hv/mmio_decode.c
unit_deps_chacha20 := lib/chacha20.c
unit_deps_virtqueue := servers/vmm/virtqueue.c lib/format.c
unit_deps_blk_request := servers/vmm/blk_request.c
unit_deps_volumes := servers/block/volumes.c
# test_string includes lib/string.c under other names rather than linking it.
$(BUILD)/unit/test_string: lib/string.c
unit_deps_guest_isa := hv/guest_isa.c
unit_deps_image := servers/vmm/image.c lib/elf.c lib/format.c
unit_deps_pmu := hv/pmu.c
unit_deps_uart16550 := servers/vmm/uart16550.c
# The guests' SBI, over fakes of the rest of the hypervisor and of the CSRs (tools/unit/fakes).
unit_deps_sbi := hv/guest_sbi.c hv/sbi_base.c hv/sbi_legacy.c hv/sbi_time.c hv/sbi_ipi.c \
	hv/sbi_rfence.c hv/sbi_hsm.c hv/sbi_srst.c hv/sbi_dbcn.c hv/sbi_pmu.c hv/pmu.c
$(BUILD)/unit/test_sbi: UNIT_CFLAGS += -iquote tools/unit/fakes
$(BUILD)/unit/test_sbi: tools/unit/fakes/csr.h
unit_deps_fs := $(FS_HOST_SOURCES) lib/format.c
UNIT_CFLAGS += -Iinclude -Iservers/fs
$(BUILD)/unit/test_fs: $(wildcard servers/fs/*.h include/vireo/*.h)
unit_deps_virtio_mmio := servers/vmm/virtio_mmio.c servers/vmm/virtqueue.c lib/format.c
unit_deps_fuse_request := servers/vmm/fuse_request.c
unit_deps_agent_frame := servers/vmm/agent_frame.c
unit_deps_net_frame := servers/vmm/net_frame.c servers/vmm/blk_request.c
unit_deps_switch := servers/net/switch.c
UNIT_CFLAGS += -Iservers/net
$(BUILD)/unit/test_switch: servers/net/switch.h
unit_deps_offload := servers/net/offload.c
unit_deps_net_ring := servers/net/net_ring.c
$(BUILD)/unit/test_offload $(BUILD)/unit/test_net_ring: $(wildcard servers/net/*.h include/vireo/*.h)
unit_deps_grant := kernel/memobj.c kernel/dma.c
