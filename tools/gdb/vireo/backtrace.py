"""Backtraces of stacks that are not the hart's current one: a guest's as it trapped, a
Vireo task's from its saved frame, the host's from a vCPU's saved host registers. The stack
is copied page by page through its own address space (pagewalk.py), written with the
registers as a core file (corefile.py) and handed to GDB's own `bt` in the symbol file's
inferior (symbols.py), so the frames come with GDB's unwinding, names, lines and
arguments, and with the right program's symbols although they all share addresses."""
import atexit
import os
import shutil
import tempfile

import gdb

from . import corefile, pagewalk
from .symbols import inferior_with
from .target import VireoError

# How much stack to copy above sp when nothing says where the stack ends: Linux's kernel
# stacks are 16 KiB, Vireo's 16 KiB and its programs' 64 KiB.
DEFAULT_STACK = 32 * 1024
MAX_STACK = 64 * 1024
_workdir = None


def _core_path():
    global _workdir
    if _workdir is None:
        _workdir = tempfile.mkdtemp(prefix="vireo-gdb-")
        atexit.register(shutil.rmtree, _workdir, True)
    return os.path.join(_workdir, "stack.core")


class Snapshot:
    """Registers and the memory a backtrace needs, read through space (HostSpace,
    GuestSpace or kernel.Host) while physical memory is readable."""

    def __init__(self, space, read_phys, pc, xregs, stack_end=None):
        self.pc, self.xregs = pc, xregs
        self.segments = []
        self.notes = []
        sp = xregs[2]
        try:
            space.translate(sp)
        except pagewalk.TranslationError as e:
            raise VireoError(f"cannot read the stack: sp {sp:#x}: {e}") from None
        start = sp & ~(pagewalk.PAGE_SIZE - 1)
        end = stack_end if stack_end else start + DEFAULT_STACK
        end = min(end, start + MAX_STACK)
        for va in range(start, end, pagewalk.PAGE_SIZE):
            try:
                self.segments.append((va, pagewalk.read_through(space, va, pagewalk.PAGE_SIZE,
                                                                read_phys)))
            except (pagewalk.TranslationError, pagewalk.PhysicalReadError):
                break  # the stack's end, as far as the backtrace goes
        # The code at pc and ra, for when the symbol file has none there (or there is none).
        for what, address in (("pc", pc), ("ra", xregs[1])):
            page = address & ~(pagewalk.PAGE_SIZE - 1)
            if any(va == page for va, _ in self.segments):
                continue
            try:
                self.segments.append((page, pagewalk.read_through(space, page,
                                                                  pagewalk.PAGE_SIZE, read_phys)))
            except (pagewalk.TranslationError, pagewalk.PhysicalReadError) as e:
                self.notes.append(f"({what} {address:#x}: {e})")


def backtrace(snapshot, symbol_file, bt_args=""):
    """GDB's `bt` over the snapshot with symbol_file's symbols (None: no symbols)."""
    flags = symbol_file.flags if symbol_file else 0
    with open(_core_path(), "wb") as f:
        f.write(corefile.write_core(snapshot.pc, snapshot.xregs, snapshot.segments, flags))
    with inferior_with(symbol_file):
        gdb.execute(f"core-file {_core_path()}", to_string=True)
        try:
            out = gdb.execute(f"bt {bt_args}".strip(), to_string=True)
        except gdb.error as e:
            out = f"(GDB could not unwind further: {e})\n"
        finally:
            gdb.execute("core-file", to_string=True)
    return out + "".join(n + "\n" for n in snapshot.notes)
