# The hypervisor's part of the build (the kernel image links it in, kernel/kernel.mk).

# Layering (docs/design.md, "Layering"): kernel/ includes no hv header but hv/hv.h, and no
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
