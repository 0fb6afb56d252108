"""What the commands need of QEMU's gdbstub: physical memory, the hart's mode and its
registers. QEMU translates the debugger's addresses with the hart's current MMU state,
which in a guest means the guest's tables and in U-mode hides the kernel; so the commands
read physical memory only (QEMU's Qqemu.PhyMemMode packet) and translate for themselves
(pagewalk.py)."""
import re
import struct

import gdb

from .pagewalk import PhysicalReadError

MASK64 = (1 << 64) - 1
# x0-x31 by their ABI names, as GDB's RISC-V target calls them.
XREG_NAMES = ["zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "fp", "s1", "a0", "a1", "a2",
              "a3", "a4", "a5", "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9",
              "s10", "s11", "t3", "t4", "t5", "t6"]


class VireoError(gdb.GdbError):
    """A command cannot do what was asked; the message says why (no Python traceback)."""


def machine():
    """Inferior 1, the one connected to QEMU."""
    for inf in gdb.inferiors():
        if inf.num == 1:
            return inf
    raise VireoError("no inferior 1: is GDB connected to QEMU (make gdb)?")


def _packet(text):
    return gdb.execute(f"maint packet {text}", to_string=True)


class PhysicalMemory:
    """`with PhysicalMemory() as mem:` reads physical memory until the block ends, when
    QEMU goes back to virtual addresses for GDB's own commands."""

    def __enter__(self):
        if gdb.selected_inferior().num != 1:
            raise VireoError("select inferior 1 (the machine) first")
        if machine().pid == 0 or not gdb.selected_thread():
            raise VireoError("the machine is not running: connect to QEMU first")
        if "OK" not in _packet("Qqemu.PhyMemMode:1"):
            raise VireoError("QEMU's gdbstub refused physical memory mode (Qqemu.PhyMemMode)")
        return self

    def __exit__(self, *exc):
        try:
            _packet("Qqemu.PhyMemMode:0")
        except gdb.error as e:
            if exc[0] is None:  # else the first failure is the one worth telling
                raise VireoError(f"QEMU did not leave physical memory mode: {e}") from None
        return False

    def read(self, address, size):
        try:
            return bytes(machine().read_memory(address, size))
        except gdb.MemoryError as e:
            raise PhysicalReadError(f"physical {address:#x}+{size:#x} cannot be read ({e})") \
                from None

    def read_u64(self, address):
        return struct.unpack("<Q", self.read(address, 8))[0]


def register(name):
    """A register of the hart as QEMU reports it, unsigned, or None if it has none such."""
    try:
        return int(gdb.parse_and_eval(f"${name}")) & MASK64
    except gdb.error:
        return None


def xregs():
    return [0] + [register(n) for n in XREG_NAMES[1:]]


def hart_mode():
    """(V, privilege): whether the hart runs a guest (V=1) and its privilege level (0 U,
    1 S, 3 M). GDB's `priv` register has no V bit, so it comes from QEMU's monitor."""
    text = gdb.execute("monitor info registers", to_string=True)
    v = re.search(r"^\s*V\s*=\s*(\d)", text, re.M)
    priv = register("priv")
    if priv is None:
        raise VireoError("QEMU reports no priv register")
    return (v is not None and v.group(1) == "1"), priv
