# The file system's checker, built for the host from the server's own format code.
FSCK_SOURCES := tools/fsck/main.c servers/fs/journal.c servers/fs/mkfs.c servers/fs/inode.c \
	servers/fs/dir.c servers/fs/file.c servers/fs/ops.c servers/fs/check.c lib/format.c
$(BUILD)/fsck: $(FSCK_SOURCES) $(wildcard servers/fs/*.h servers/block/*.h include/vireo/*.h)
	@mkdir -p $(@D)
	$(call quiet,HOSTCC,$@)gcc -std=c11 -O2 -g -Wall -Wextra -Werror -D_GNU_SOURCE -Iinclude \
		-Iservers/fs -Iservers/block -Ilib -o $@ $(FSCK_SOURCES) servers/block/volumes.c
.PHONY: fsck
fsck: $(BUILD)/fsck
# The system tests run it on their disk images.
unit-build soak: $(BUILD)/fsck
