"""The core files the backtraces are made from (tools/gdb/vireo/corefile.py), read back by
binutils' readelf as GDB's BFD reads them."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from vireo import corefile  # noqa: E402

READELF = "riscv64-linux-gnu-readelf"


def test_readelf_reads_the_registers_and_segments(tmp_path):
    xregs = [0] + [0x1000 + i for i in range(1, 32)]
    core = corefile.write_core(0xFFFFFFFF80001234, xregs,
                               [(0xFFFFFFFF80270000, b"\x11" * 4096), (0x80200000, b"\x22" * 8)],
                               e_flags=5)
    path = tmp_path / "t.core"
    path.write_bytes(core)
    headers = subprocess.run([READELF, "-h", "-l", "-n", str(path)], capture_output=True,
                             text=True, check=True).stdout
    assert "CORE (Core file)" in headers and "RISC-V" in headers
    assert "0x5, RVC, double-float ABI" in headers
    assert "NT_PRSTATUS" in headers
    assert headers.count("LOAD") == 2
    assert "0xffffffff80270000" in headers and "0x0000000080200000" in headers
    # The registers where Linux's elf_prstatus has them: pc, then x1-x31.
    note_at = core.index(b"CORE\0") + 8
    regs = core[note_at + corefile.PRSTATUS_REGS:note_at + corefile.PRSTATUS_REGS + 16]
    assert regs == (0xFFFFFFFF80001234).to_bytes(8, "little") + (0x1001).to_bytes(8, "little")


def test_prstatus_wants_all_registers():
    try:
        corefile.prstatus(0, [0] * 31)
    except ValueError as e:
        assert "32 registers" in str(e)
    else:
        raise AssertionError("31 registers were taken")
