# Programs that exist only for the system tests; they go into build/test/bootfs.cpio.
TEST_PROGRAMS := hello crash poke-kernel poke-init badcalls ipc-bench ipc-client conspeed \
	shm-owner shm-peer ipcmix ipcmix-server ipcmix-hold
TEST_PROGRAMS += bigbss memhog counters
TEST_PROGRAMS += vmm-args
TEST_PROGRAMS += impostor
TEST_PROGRAMS += name-owner
TEST_PROGRAMS += waitthief
TEST_PROGRAMS += disk-thief
TEST_PROGRAMS += fs-thief
TEST_PROGRAMS += net-thief
TEST_PROGRAMS += grant-thief
TEST_PROGRAMS += threads thread-server thread-hold thread-crash
TEST_PROGRAMS += thread-client thread-stress busy busy-pair
$(foreach p,$(TEST_PROGRAMS),$(eval $(call user_program,$(p),tools/systest/programs/$(p).c)))
