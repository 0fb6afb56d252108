# The hypervisor's part of the build: its sources, which each kernel image compiles into
# build/.../kernel/hv/ and links in (kernel/kernel.mk).
HV_C := vm.c vcpu.c guest_ram.c guest_isa.c exit.c mmio.c mmio_decode.c vplic.c guest_sbi.c
HV_C += sbi_base.c sbi_legacy.c sbi_time.c sbi_ipi.c sbi_rfence.c sbi_hsm.c sbi_srst.c sbi_dbcn.c
HV_C += pmu.c sbi_pmu.c vm_syscall.c
HV_S := world_switch.S guest_access.S fpu.S

# Layering (docs/design.md 6.1): kernel/ includes no hv header but hv/hv.h, and no
# file name is in both directories. `make unit` (and so `make test`) runs the check, first on
# fixtures that break it in each way, so that a check that stopped finding breaches fails.
LAYERING_FIXTURE := tools/unit/fixtures/layering
.PHONY: layering
layering:
	@out=$$(tools/check-layering.sh $(LAYERING_FIXTURE)/kernel $(LAYERING_FIXTURE)/hv) && \
		{ echo "layering: the check passed $(LAYERING_FIXTURE), which breaks it"; exit 1; }; \
	for want in kernel/own.h: kernel/switch.S: breach.c:2: breach.c:3:; do \
		echo "$$out" | grep -q "$$want" || \
			{ echo "layering: the check missed $$want in $(LAYERING_FIXTURE)"; exit 1; }; \
	done; \
	if echo "$$out" | grep -q allowed.c; then \
		echo "layering: the check refused hv.h in $(LAYERING_FIXTURE)"; exit 1; fi
	$(call quiet,CHECK,kernel/ includes only hv/hv.h)tools/check-layering.sh kernel hv
unit: layering
