# Bare-metal test guests for the hypervisor (guest/tests/). Each NAME in GUEST_TESTS is
# guest/tests/NAME.c linked with start.S and lib.c at 0x80200000 (guest.ld), giving
# $(BUILD)/guest/NAME.elf and the raw image $(BUILD)/guest/NAME.bin that Vireo's monitor
# loads. `make guest-tests` builds them all. The same images boot on bare QEMU:
#   qemu-system-riscv64 -M virt -cpu rv64,h=true -m 256M -smp 2 -nographic -bios default \
#     -kernel $(BUILD)/guest/NAME.elf

# Each prints PASS:/FAIL:/SKIP: lines and "DONE: N passed, M failed", then powers off
# through SBI SRST (reason 1 when something failed). hsm needs 2 harts; mmio, vplic,
# virtio-rng and reboot need Vireo's devices or reboot semantics. The bad guests spin, garbage,
# sbi-fuzz, flood and badpt print no such DONE line (see each file's header).
GUEST_TESTS := hello sbi-probe timer wfi mmio vplic virtio-rng fault ram hsm reboot \
	spin garbage sbi-fuzz flood sbi-bench idle
# Isolation: what one guest leaves or writes must not reach the host or the next guest.
GUEST_TESTS += residue-fill residue-check csr-env poke
GUEST_TESTS += bss
# The SBI PMU (hv/sbi_pmu.c); it names exit causes, from Vireo's system-call header.
GUEST_TESTS += sbi-pmu
# The monitor's ns16550a, polled and by interrupts, and text typed at the keyboard.
GUEST_TESTS += uart
# virtio-blk driven with hostile rings (tools/systest/test_disk.py).
GUEST_TESTS += blk-hostile
# GDB: page tables of garbage for `vireo guest-bt` to refuse (tools/systest/test_gdb.py).
GUEST_TESTS += badpt
# virtio-fs: hostile FUSE requests from inside a VM (the wire structs of the monitor's parser).
GUEST_TESTS += virtio-fs
$(BUILD)/guest/obj/virtio-fs.o: GUEST_CFLAGS += -Iservers/vmm
# The network: bare-metal peers that greet each other through the network server.
GUEST_TESTS += net-peer
# SMP guests: IPIs, HSM suspend and states, remote fences across vCPUs (tools/systest/test_smp.py).
GUEST_TESTS += ipi hsm-suspend rfence

GUEST_CC := $(CROSS)gcc
GUEST_OBJCOPY := $(CROSS)objcopy
# Like the kernel's flags: freestanding rv64imac for S-mode, medany for 0x80200000, no
# relaxation so hand-placed code (mmio's page-straddling load) stays where it was put.
GUEST_ARCH := -march=rv64imac_zicsr_zifencei -mabi=lp64 -mcmodel=medany
GUEST_CFLAGS := -std=c11 -O2 -g $(GUEST_ARCH) -ffreestanding -nostdlib -fno-builtin \
	-fno-tree-loop-distribute-patterns -fno-stack-protector -fno-pie -mno-relax \
	-Wall -Wextra -Werror -Wmissing-prototypes -Wshadow -MMD -MP \
	-Iinclude # the spec's numbers (include/riscv/), shared with the kernel
GUEST_LDFLAGS := -nostdlib -static -no-pie -Wl,--no-relax -Wl,-T,guest/tests/guest.ld \
	-Wl,--gc-sections -Wl,--build-id=none -Wl,-z,noexecstack -Wl,--no-warn-rwx-segments

GUEST_ELFS := $(GUEST_TESTS:%=$(BUILD)/guest/%.elf)
GUEST_BINS := $(GUEST_TESTS:%=$(BUILD)/guest/%.bin)
GUEST_LIB_OBJS := $(BUILD)/guest/obj/start.o $(BUILD)/guest/obj/lib.o

$(BUILD)/guest/obj/%.o: guest/tests/%.c
	@mkdir -p $(@D)
	$(call quiet,CC,$@)$(GUEST_CC) $(GUEST_CFLAGS) -c $< -o $@
$(BUILD)/guest/obj/%.o: guest/tests/%.S
	@mkdir -p $(@D)
	$(call quiet,AS,$@)$(GUEST_CC) $(GUEST_CFLAGS) -c $< -o $@

$(GUEST_ELFS): $(BUILD)/guest/%.elf: $(BUILD)/guest/obj/%.o $(GUEST_LIB_OBJS) \
		guest/tests/guest.ld
	$(call quiet,LD,$@)$(GUEST_CC) $(GUEST_ARCH) $(GUEST_LDFLAGS) -o $@ \
		$(GUEST_LIB_OBJS) $(BUILD)/guest/obj/$*.o -lgcc
$(GUEST_BINS): $(BUILD)/guest/%.bin: $(BUILD)/guest/%.elf
	$(call quiet,BIN,$@)$(GUEST_OBJCOPY) -O binary $< $@

.PHONY: guest-tests
guest-tests: $(GUEST_ELFS) $(GUEST_BINS)

-include $(GUEST_TESTS:%=$(BUILD)/guest/obj/%.d) $(GUEST_LIB_OBJS:.o=.d)
