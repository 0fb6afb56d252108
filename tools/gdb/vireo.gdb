# Loaded by tools/gdb.sh (make gdb): the symbols of the kernel, the programs and the guests,
# the `vireo` commands (tools/gdb/vireo/), and the connection to QEMU's gdbstub.
set architecture riscv:rv64
set pagination off
set confirm off
set print inferior-events off
python
import os, sys
sys.path.insert(0, os.path.join(os.environ["VIREO_ROOT"], "tools", "gdb"))
import vireo.session
vireo.session.start()
end
