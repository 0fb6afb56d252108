$(eval $(call user_program,virtio-blk,drivers/virtio-blk/main.c))
