$(eval $(call user_program,vmm,servers/vmm/main.c servers/vmm/guest.c servers/vmm/fdt.c \
	servers/vmm/testdev.c lib/elf.c,$(LIBFDT_OBJS)))
