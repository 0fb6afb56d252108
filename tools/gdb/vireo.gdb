# Loaded by tools/gdb.sh: attach to QEMU's gdbstub, halted at the first instruction.
set architecture riscv:rv64
set pagination off
set confirm off
target remote localhost:1234
