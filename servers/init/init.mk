$(eval $(call user_program,init,servers/init/main.c servers/init/bootfs.c lib/cpio.c))
