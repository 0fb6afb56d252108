# vireo-agent, the Linux guest's end of `linux exec` (docs/agent.md): a static riscv64 Linux
# program, packed as /sbin/vireo-agent into a gzip'd newc archive of its own that the
# Makefile appends to the guest's initramfs (Linux unpacks concatenated archives in turn),
# so that adding it rebuilds nothing of the kernel or busybox.
AGENT_CC := $(CROSS)gcc
AGENT_ELF := $(BUILD)/agent/sbin/vireo-agent
AGENT_CPIO := $(BUILD)/agent/agent.cpio.gz

$(AGENT_ELF): guest/agent/agent.c servers/vmm/agent_frame.c servers/vmm/agent_frame.h
	@mkdir -p $(@D)
	$(call quiet,CC,$@)$(AGENT_CC) -std=c11 -O2 -Wall -Wextra -Werror -static -s \
		-Iservers/vmm -o $@ guest/agent/agent.c servers/vmm/agent_frame.c

$(AGENT_CPIO): $(AGENT_ELF)
	$(call quiet,CPIO,$@)cd $(BUILD)/agent && printf 'sbin\nsbin/vireo-agent\n' | \
		cpio -o -H newc --quiet -R 0:0 | gzip -9 > $(abspath $@)
