$(eval $(call user_program,net,servers/net/main.c servers/net/switch.c))
