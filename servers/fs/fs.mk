$(eval $(call user_program,fs,servers/fs/main.c servers/fs/volume.c servers/fs/journal.c servers/fs/mkfs.c servers/fs/inode.c servers/fs/dir.c servers/fs/file.c servers/fs/ops.c))
