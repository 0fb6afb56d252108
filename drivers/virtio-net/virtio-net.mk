$(eval $(call user_program,virtio-net,drivers/virtio-net/main.c servers/net/net_ring.c))
