$(eval $(call user_program,block,servers/block/main.c servers/block/volumes.c))
