"""A RISC-V Linux-style ELF core file from registers and memory snapshots, so that GDB's own
unwinder (its DWARF call-frame reader and prologue analyser, with function names, source
lines and arguments) walks a stack that is not the hart's: a guest's, translated through
its page tables, or a Vireo task's. Pure Python; the layout is the ELF gABI's core file
with one NT_PRSTATUS note as Linux writes it for riscv64 (struct elf_prstatus, 376 bytes,
the registers at offset 112: pc, then x1-x31)."""
import struct

ET_CORE = 4
EM_RISCV = 243
PT_LOAD, PT_NOTE = 1, 4
PF_R, PF_W, PF_X = 4, 2, 1
NT_PRSTATUS = 1
PRSTATUS_SIZE = 376
PRSTATUS_PID = 32
PRSTATUS_REGS = 112
EHDR_SIZE, PHDR_SIZE = 64, 56


def _note(name, kind, desc):
    name = name.encode() + b"\0"
    pad = lambda b: b + b"\0" * (-len(b) % 4)  # noqa: E731
    return struct.pack("<III", len(name), len(desc), kind) + pad(name) + pad(desc)


def prstatus(pc, xregs, pid=1):
    """xregs: x0-x31 (x0 is ignored: the note has pc in its place)."""
    if len(xregs) != 32:
        raise ValueError(f"prstatus needs 32 registers, got {len(xregs)}")
    desc = bytearray(PRSTATUS_SIZE)
    struct.pack_into("<I", desc, PRSTATUS_PID, pid)
    struct.pack_into("<32Q", desc, PRSTATUS_REGS, pc & (2**64 - 1),
                     *(r & (2**64 - 1) for r in xregs[1:]))
    return bytes(desc)


def write_core(pc, xregs, segments, e_flags=0):
    """The bytes of a core file: one thread with pc and x0-x31, and segments, a list of
    (virtual address, bytes), as loadable segments. e_flags should be the symbol file's,
    so that GDB takes both for the same ABI."""
    note = _note("CORE", NT_PRSTATUS, prstatus(pc, xregs))
    nph = 1 + len(segments)
    offset = EHDR_SIZE + nph * PHDR_SIZE
    ident = b"\x7fELF" + bytes([2, 1, 1, 0]) + bytes(8)  # 64-bit, little-endian, SysV
    out = bytearray(ident + struct.pack("<HHIQQQIHHHHHH", ET_CORE, EM_RISCV, 1, 0, EHDR_SIZE,
                                        0, e_flags, EHDR_SIZE, PHDR_SIZE, nph, 0, 0, 0))
    out += struct.pack("<IIQQQQQQ", PT_NOTE, 0, offset, 0, 0, len(note), 0, 4)
    data_offset = offset + len(note)
    for va, data in segments:
        out += struct.pack("<IIQQQQQQ", PT_LOAD, PF_R | PF_W | PF_X, data_offset, va, 0,
                           len(data), len(data), 4096)
        data_offset += len(data)
    out += note
    for _, data in segments:
        out += data
    return bytes(out)

