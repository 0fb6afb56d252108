"""`make gdb`: QEMU halted with its gdbstub, gdb-multiarch attached with Vireo's symbols."""
import os
import subprocess

from conftest import ROOT


def test_gdb_stops_in_kmain_with_symbols():
    out = subprocess.run(
        [os.path.join(ROOT, "tools", "gdb.sh"), "-batch", "-ex", "break kmain",
         "-ex", "continue", "-ex", "bt", "-ex", "info registers a0"],
        capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL).stdout
    assert "Breakpoint 1, kmain (hartid=0, fdt=0x" in out, out
    assert "in _start () at kernel/entry.S" in out, out
