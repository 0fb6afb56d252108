# User programs: each links the user library (lib/) with its own sources at the user base
# address (linker/user.ld). $(call user_program,NAME,SOURCES[,OBJECTS]) builds
# build/user/NAME.elf, linking OBJECTS built elsewhere too (libfdt's).

USER_LIB_C := syscall.c console.c heap.c format.c string.c
USER_LIB_C += thread.c
UCFLAGS := $(filter-out -DVIREO_% -Ikernel -Ihv,$(KCFLAGS))
USER_LIB_OBJS := $(addprefix $(BUILD)/user/lib/,$(USER_LIB_C:.c=.o) crt0.o)
ULDFLAGS := -nostdlib -static -no-pie -Wl,-T,linker/user.ld -Wl,--gc-sections \
	-Wl,--build-id=none -Wl,--no-warn-rwx-segments

$(BUILD)/user/%.o: %.c
	@mkdir -p $(@D)
	$(call quiet,CC,$@)$(KCC) $(UCFLAGS) -c $< -o $@
$(BUILD)/user/%.o: %.S
	@mkdir -p $(@D)
	$(call quiet,AS,$@)$(KCC) $(UCFLAGS) -c $< -o $@

define user_program
USER_PROGRAMS += $(1)
$(BUILD)/user/$(1).elf: $$(patsubst %.c,$(BUILD)/user/%.o,$(2)) $(3) $$(USER_LIB_OBJS) linker/user.ld
	$$(call quiet,LD,$$@)$$(KCC) $$(ULDFLAGS) -o $$@ $$(filter %.o,$$^) -lgcc
-include $$(patsubst %.c,$(BUILD)/user/%.d,$(2))
endef
-include $(USER_LIB_OBJS:.o=.d)
