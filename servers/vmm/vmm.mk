$(eval $(call user_program,vmm,servers/vmm/main.c servers/vmm/guest.c servers/vmm/lanes.c servers/vmm/image.c \
	servers/vmm/fdt.c servers/vmm/testdev.c servers/vmm/virtio_mmio.c servers/vmm/virtqueue.c \
	servers/vmm/virtio_net.c servers/vmm/net_frame.c servers/net/net_ring.c \
	servers/vmm/virtio_rng.c servers/vmm/uart.c servers/vmm/uart16550.c servers/vmm/virtio_blk.c servers/vmm/blk_request.c \
	servers/vmm/virtio_console.c servers/vmm/agent.c servers/vmm/agent_frame.c \
	servers/vmm/virtio_fs.c servers/vmm/fuse_request.c lib/elf.c,$(LIBFDT_OBJS)))
