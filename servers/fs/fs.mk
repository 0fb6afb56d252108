# The file system's pure code, shared by the server, tools/fsck, the unit tests and the
# fuzzer; the host builds add the checker.
FS_SOURCES := servers/fs/journal.c servers/fs/mkfs.c servers/fs/inode.c servers/fs/dir.c \
	servers/fs/file.c servers/fs/ops.c servers/fs/open.c
FS_HOST_SOURCES := $(FS_SOURCES) servers/fs/check.c
$(eval $(call user_program,fs,servers/fs/main.c servers/fs/volume.c $(FS_SOURCES)))
