$(eval $(call user_program,uart,drivers/uart/main.c))
