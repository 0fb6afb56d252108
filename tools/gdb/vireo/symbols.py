"""Whose symbols GDB has, and where. Vireo's programs are all linked at the same address
(VIREO_USER_BASE), each in its own address space, and a bare-metal guest usually sits
where the kernel does (0x80200000, in its own guest physical space): one program space
cannot hold them all. So:

- inferior 1, the machine, holds the symbols GDB's own commands use (bt, break, list):
  the kernel's and those of every guest that overlaps nothing of it (Linux's vmlinux).
  `vireo use NAME` adds one program, or swaps a guest that overlaps the kernel for it.
- a backtrace of another stack (backtrace.py) is made in an inferior of its own, with no
  connection, holding only the symbol file of the code that ran on that stack, and removed
  afterwards: GDB 13 puts a breakpoint's locations in every program space, so inferiors
  kept with symbols would give each `break` a location in every program.
"""
import contextlib
import os

import gdb

from . import elfinfo
from .target import VireoError


class SymbolFile:
    def __init__(self, name, path, kind):
        self.name = name  # "kernel", a program's name ("shell"), a guest's file name
        self.path = os.path.abspath(path)
        self.kind = kind  # "kernel", "program" or "guest"
        self.ranges = elfinfo.load_ranges(self.path)
        self.flags = elfinfo.flags(self.path)

    def covers(self, pc):
        return any(start <= pc < end for start, end in self.ranges)


@contextlib.contextmanager
def quiet():
    """No "[Switching to inferior N]" lines while the commands move between inferiors."""
    was = gdb.parameter("suppress-cli-notifications")
    gdb.execute("set suppress-cli-notifications on", to_string=True)
    try:
        yield
    finally:
        gdb.execute(f"set suppress-cli-notifications {'on' if was else 'off'}", to_string=True)


@contextlib.contextmanager
def inferior_with(symbol_file):
    """Runs the block in a new inferior holding only symbol_file's symbols (or none), then
    removes it and goes back to inferior 1 and the frame that was selected there."""
    frame = None
    try:
        frame = gdb.selected_frame().level()
    except gdb.error:
        pass
    with quiet():
        gdb.execute("add-inferior -no-connection", to_string=True)
        inferior = max(gdb.inferiors(), key=lambda i: i.num)
        gdb.execute(f"inferior {inferior.num}", to_string=True)
        try:
            if symbol_file:
                # The file is the inferior's executable (its code and read-only data) and
                # an added symbol file, not `file`'s main one: GDB 13 trips over a main
                # symbol file that another program space has as an added one (an assertion
                # in get_msymbol_address).
                gdb.execute(f"exec-file {symbol_file.path}", to_string=True)
                gdb.execute(f"add-symbol-file {symbol_file.path}", to_string=True)
            yield inferior
        finally:
            gdb.execute("inferior 1", to_string=True)
            gdb.execute(f"remove-inferiors {inferior.num}", to_string=True)
            if frame:
                gdb.execute(f"frame {frame}", to_string=True)


class Symbols:
    def __init__(self, kernel, programs, guests):
        """kernel: its ELF; programs: the user programs' ELF files (named by their base
        names without .elf, as the tasks running them are); guests: guest ELF files."""
        self.kernel = SymbolFile("kernel", kernel, "kernel")
        self.programs = {}
        for path in programs:
            name = os.path.basename(path)
            name = name[:-4] if name.endswith(".elf") else name
            self.programs[name] = SymbolFile(name, path, "program")
        self.guests = []
        for path in guests:
            name = os.path.basename(path)
            name = "linux" if name == "vmlinux" else name
            if name in [g.name for g in self.guests]:
                raise VireoError(f"two guests named {name}: {path}")
            self.guests.append(SymbolFile(name, path, "guest"))
        self.in_use = set()  # what inferior 1 holds besides the kernel

    def all(self):
        return [self.kernel, *self.programs.values(), *self.guests]

    def overlaps_kernel(self, f):
        return f is not self.kernel and elfinfo.overlap(f.ranges, self.kernel.ranges)

    def load(self):
        gdb.execute(f"exec-file {self.kernel.path}", to_string=True)
        self._add(self.kernel)
        for g in self.guests:
            if not self.overlaps_kernel(g):
                self._add(g)
                self.in_use.add(g.name)

    @staticmethod
    def _add(f):
        gdb.execute(f"add-symbol-file {f.path}", to_string=True)

    @staticmethod
    def _remove(f):
        gdb.execute(f"remove-symbol-file {f.path}", to_string=True)

    def find(self, name):
        for f in self.all():
            if f.name == name:
                return f
        names = ", ".join(f.name for f in self.all())
        raise VireoError(f"no symbol file named {name!r}; there are: {names}")

    def program_of(self, task_name):
        return self.programs.get(task_name)

    def guest_for(self, vm_name, pc):
        """The guest's symbol file: the one named as the VM is (`vm run .../hello.elf` makes
        a VM hello.elf), else the one whose segments hold pc; None when none does."""
        for g in self.guests:
            if g.name == vm_name:
                return g
        for g in self.guests:
            if g.covers(pc):
                return g
        return None

    def use(self, name):
        """Puts name's symbols in inferior 1 for GDB's own commands; returns what it did."""
        f = self.find(name)
        if f.kind == "kernel" or (f.kind == "guest" and self.overlaps_kernel(f)):
            for other in [self.find(n) for n in self.in_use]:
                if other.kind == "guest" and self.overlaps_kernel(other):
                    self._remove(other)
                    self.in_use.discard(other.name)
            if f.kind == "kernel":
                if not any(o.filename == f.path for o in gdb.objfiles()):
                    self._add(f)
                return "the kernel's symbols are in use again"
            if any(o.filename == self.kernel.path for o in gdb.objfiles()):
                self._remove(self.kernel)
            self._add(f)
            self.in_use.add(f.name)
            return (f"{f.name}'s symbols are in use in place of the kernel's, which overlap "
                    f"them; breakpoints in the kernel stay pending until `vireo use kernel`. "
                    f"The kernel runs at those addresses too: give the guest's breakpoints "
                    f"the condition `if $vireo_in_guest()`")
        if f.name in self.in_use:
            return f"{f.name}'s symbols are in use already"
        if f.kind == "program":
            for other in [self.find(n) for n in self.in_use]:
                if other.kind == "program":
                    self._remove(other)
                    self.in_use.discard(other.name)
        self._add(f)
        self.in_use.add(f.name)
        condition = (f" if $_streq($vireo_task(), \"{f.name}\")" if f.kind == "program"
                     else "")
        return (f"{f.name}'s symbols are in use; its addresses are other programs' too, so "
                f"give its breakpoints a condition: break FUNCTION{condition}")
