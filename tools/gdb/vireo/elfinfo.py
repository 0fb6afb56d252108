"""The little the commands need to know of an ELF file without GDB: where its loadable
segments go and its header flags. Pure."""
import struct

PT_LOAD = 1


def _header(f, path):
    header = f.read(64)
    if header[:4] != b"\x7fELF" or header[4] != 2 or header[5] != 1:
        raise ValueError(f"{path} is not a 64-bit little-endian ELF file")
    return header


def flags(path):
    """e_flags: the float ABI and RVC bits, which a core file for it should repeat."""
    with open(path, "rb") as f:
        return struct.unpack_from("<I", _header(f, path), 48)[0]


def load_ranges(path):
    """[(start, end)] of its PT_LOAD segments in memory."""
    with open(path, "rb") as f:
        header = _header(f, path)
        phoff, = struct.unpack_from("<Q", header, 32)
        phentsize, phnum = struct.unpack_from("<HH", header, 54)
        f.seek(phoff)
        table = f.read(phentsize * phnum)
    ranges = []
    for i in range(phnum):
        kind, _, _, vaddr, _, _, memsz = struct.unpack_from("<IIQQQQQ", table, i * phentsize)
        if kind == PT_LOAD and memsz:
            ranges.append((vaddr, vaddr + memsz))
    return ranges


def overlap(a, b):
    return any(s1 < e2 and s2 < e1 for s1, e1 in a for s2, e2 in b)
