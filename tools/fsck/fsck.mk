# The file system's checker, built for the host from the server's own format code.
FSCK_SOURCES := tools/fsck/main.c $(FS_HOST_SOURCES) lib/format.c servers/block/volumes.c
$(BUILD)/fsck: $(FSCK_SOURCES) $(wildcard servers/fs/*.h servers/block/*.h include/vireo/*.h)
	@mkdir -p $(@D)
	$(call quiet,HOSTCC,$@)gcc -std=c11 -O2 -g -Wall -Wextra -Werror -D_GNU_SOURCE -Iinclude \
		-Iservers/fs -Iservers/block -Ilib -o $@ $(FSCK_SOURCES)
.PHONY: fsck
fsck: $(BUILD)/fsck
# The system tests run it on their disk images.
unit-build soak: $(BUILD)/fsck
