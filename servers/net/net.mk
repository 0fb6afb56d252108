$(eval $(call user_program,net,servers/net/main.c servers/net/switch.c servers/net/net_ring.c \
	servers/net/offload.c))
