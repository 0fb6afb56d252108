# The kernel image, built twice: build/vireo.elf for users, and build/test/vireo.elf with
# the fault-injection hooks (kernel/testhooks.c) that the system tests drive.

KERNEL_C := main.c hart.c trap.c timer.c console.c klog.c sbi.c machine.c page_alloc.c \
	pagetable.c memory.c kalloc.c kernel_map.c panic.c ksyms.c device.c irq.c handle.c \
	task.c quota.c memobj.c sched.c ipc.c ipc_fast.c syscall.c loader.c init_task.c random.c kstack.c
KERNEL_C += dma.c
KERNEL_C += thread.c
KERNEL_C += smp.c tlb.c
KERNEL_S := entry.S trapvec.S switch.S
# The hypervisor's sources (HV_C, HV_S) are listed in hv/hv.mk.
# Pure code shared with user programs and host tests.
KERNEL_LIB_C := format.c string.c elf.c cpio.c chacha20.c
LIBFDT_C := fdt.c fdt_ro.c fdt_rw.c fdt_sw.c fdt_wip.c fdt_strerror.c fdt_addresses.c \
	fdt_empty_tree.c

# libfdt's sources come from Debian's linux-source package through the cache; they are
# compiled with the kernel's flags, but as foreign code without -Werror.
$(BUILD)/libfdt/.stamp: tools/libfdt-source.sh
	@mkdir -p $(@D)
	@cp "$$(tools/libfdt-source.sh)"/*.[ch] $(@D)/
	@touch $@
$(addprefix $(BUILD)/libfdt/,$(LIBFDT_C) libfdt.h): $(BUILD)/libfdt/.stamp ;
$(BUILD)/libfdt/%.o: $(BUILD)/libfdt/%.c
	$(call quiet,CC,$@)$(KCC) $(filter-out -W%,$(KCFLAGS)) -w -c $< -o $@
LIBFDT_OBJS := $(addprefix $(BUILD)/libfdt/,$(LIBFDT_C:.c=.o))

# $(call kernel_image,DIR,EXTRA_CFLAGS,EXTRA_SOURCES)
define kernel_image
$(1)/kernel/%.o: kernel/%.c $(BUILD)/libfdt/.stamp
	@mkdir -p $$(@D)
	$$(call quiet,CC,$$@)$$(KCC) $$(KCFLAGS) $(2) -c $$< -o $$@
$(1)/kernel/%.o: kernel/%.S
	@mkdir -p $$(@D)
	$$(call quiet,AS,$$@)$$(KCC) $$(KCFLAGS) $(2) -c $$< -o $$@
$(1)/kernel/hv/%.o: hv/%.c $(BUILD)/libfdt/.stamp
	@mkdir -p $$(@D)
	$$(call quiet,CC,$$@)$$(KCC) $$(KCFLAGS) $(2) -c $$< -o $$@
$(1)/kernel/hv/%.o: hv/%.S
	@mkdir -p $$(@D)
	$$(call quiet,AS,$$@)$$(KCC) $$(KCFLAGS) $(2) -c $$< -o $$@
$(1)/kernel/lib/%.o: lib/%.c $(BUILD)/libfdt/.stamp
	@mkdir -p $$(@D)
	$$(call quiet,CC,$$@)$$(KCC) $$(KCFLAGS) $(2) -c $$< -o $$@
$(1)/kernel/ksyms-empty.S: tools/gen-ksyms.sh
	@mkdir -p $$(@D)
	@tools/gen-ksyms.sh > $$@
$(1)/kernel/%.o: $(1)/kernel/%.S
	$$(call quiet,AS,$$@)$$(KCC) $$(KCFLAGS) -c $$< -o $$@

$(1)_OBJS := $$(addprefix $(1)/kernel/,$$(KERNEL_C:.c=.o) $$(KERNEL_S:.S=.o) $(3:.c=.o)) \
	$$(addprefix $(1)/kernel/lib/,$$(KERNEL_LIB_C:.c=.o)) \
	$$(addprefix $(1)/kernel/hv/,$$(HV_C:.c=.o) $$(HV_S:.S=.o)) $$(LIBFDT_OBJS)
-include $$($(1)_OBJS:.o=.d)

# First link with an empty symbol table, then again with the table of the first link's
# functions; the check that no function moved keeps the table honest. The source lists set
# the link order, so the first link follows them.
$(1)/vireo.pass1.elf: $$($(1)_OBJS) $(1)/kernel/ksyms-empty.o linker/kernel.ld kernel/kernel.mk \
		hv/hv.mk
	$$(call quiet,LD,$$@)$$(KCC) $$(KLDFLAGS) -o $$@ $$($(1)_OBJS) $(1)/kernel/ksyms-empty.o -lgcc
$(1)/kernel/ksyms-table.S: $(1)/vireo.pass1.elf tools/gen-ksyms.sh
	$$(call quiet,KSYMS,$$@)NM=$$(KNM) tools/gen-ksyms.sh $$< > $$@
$(1)/vireo.elf: $$($(1)_OBJS) $(1)/kernel/ksyms-table.o linker/kernel.ld
	$$(call quiet,LD,$$@)$$(KCC) $$(KLDFLAGS) -o $$@ $$($(1)_OBJS) $(1)/kernel/ksyms-table.o -lgcc
	@$$(KNM) -n $(1)/vireo.pass1.elf | grep -i ' t ' > $(1)/syms.pass1
	@$$(KNM) -n $$@ | grep -i ' t ' > $(1)/syms.pass2
	@cmp -s $(1)/syms.pass1 $(1)/syms.pass2 || \
		{ echo "ksyms: functions moved in the second link"; rm -f $$@; exit 1; }
endef

# A kernel frame above 8 KiB would take half a kernel stack, and one above the 16 KiB guard
# could step over it into the stack below (kstack.h).
KERNEL_FRAME_CFLAGS := -Wstack-usage=8192
$(eval $(call kernel_image,$(BUILD),$(KERNEL_FRAME_CFLAGS),))
$(eval $(call kernel_image,$(BUILD)/test,$(KERNEL_FRAME_CFLAGS) -DVIREO_TEST_HOOKS,testhooks.c))
