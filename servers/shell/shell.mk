$(eval $(call user_program,shell,servers/shell/main.c servers/shell/line.c servers/shell/commands.c servers/shell/vm.c servers/shell/events.c servers/shell/exits.c servers/shell/disk.c servers/shell/share.c \
	servers/shell/exec.c))
