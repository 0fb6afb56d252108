"""Vireo's kernel structures as the commands read them: by the types and symbols of the
kernel's debug information, never by offsets written here. NEEDS lists every type and
field, STATICS every variable, ENUMS every enumeration the commands read; check() finds
them all or says which are missing (`vireo check`, run by the tests), and reading a field
not listed, or one the kernel no longer has, fails with a sentence rather than a guess.

Kernel memory is read physically and translated through the kernel's own page table
(kernel_map.c `space`): RAM is mapped at VA = PA there, the kernel stacks are not."""
import gdb

from . import pagewalk
from .target import MASK64, VireoError

NEEDS = {
    "struct hart": ("hartid", "stack_base", "current", "vcpu", "csr_owner"),
    "struct thread": ("id", "task", "state", "wait", "ctx", "frame", "kstack"),
    "struct context": ("ra", "sp", "s"),
    "struct user_frame": ("regs", "sepc"),
    "struct task": ("id", "name", "satp", "dead", "parent", "pages", "thread", "mappings"),
    "struct mapping": ("va", "npages"),
    "struct pt_space": ("fmt", "root"),
    "struct pt_format": ("name",),
    "struct vm": ("id", "name", "owner", "vmid", "gstage", "nvcpus", "vcpus", "stat",
                  "waiter"),
    "struct vcpu": ("regs", "pc", "host_sp", "host_tp", "host_ra", "host_s", "vsstatus",
                    "vsie", "vstvec", "vsscratch", "vsepc", "vscause", "vstval", "vsatp",
                    "vstimecmp", "hvip", "hstatus", "scause", "stval", "htval", "htinst",
                    "vm", "index", "state"),
    "struct vireo_vm_stat": ("ram_pages", "exits", "ring"),
    "struct vireo_vm_exit_ring": ("count", "recent"),
    "struct vireo_vm_exit_record": ("scause", "pc", "detail"),
}
# Variables, by the source file that defines them (most are static there).
STATICS = {"harts": "kernel/hart.c", "tasks": "kernel/task.c", "vms": "hv/vm.c",
           "space": "kernel/kernel_map.c"}
ENUMS = ("enum thread_state", "enum thread_wait", "enum vcpu_state")

_CODE_SCALAR = (gdb.TYPE_CODE_INT, gdb.TYPE_CODE_PTR, gdb.TYPE_CODE_ENUM, gdb.TYPE_CODE_BOOL,
                gdb.TYPE_CODE_CHAR)


class Layout:
    """The types, variables and enumerations of NEEDS, STATICS and ENUMS, looked up once at
    the start, while inferior 1 has the kernel's symbols (GDB keeps the types when `vireo
    use` takes the kernel's symbols out later)."""

    def __init__(self, kernel_path):
        self.types, self.addresses, self.enums, self.missing = {}, {}, {}, []
        objfile = next((o for o in gdb.objfiles() if o.filename == kernel_path), None)
        anchor = objfile.lookup_global_symbol("kmain") if objfile else None
        if anchor is None:
            raise VireoError(f"no kmain in {kernel_path}: is it Vireo's kernel?")
        # Looked up from the kernel's own block, so that a guest's type of the same name (a
        # struct vm in vmlinux?) is never taken for the kernel's.
        self.block = anchor.symtab.global_block()
        for name, fields in NEEDS.items():
            t = self._type(name)
            if t is None:
                continue
            self.types[name] = t
            have = {f.name for f in t.fields()}
            self.missing += [f"{name}.{f}" for f in fields if f not in have]
        for var, source in STATICS.items():
            self._variable(var, source)
        for name in ENUMS:
            t = self._type(name)
            if t is not None:
                self.enums[name] = {f.enumval: f.name for f in t.fields()}

    def _type(self, name):
        try:
            return gdb.lookup_type(name, self.block).strip_typedefs()
        except gdb.error:
            self.missing.append(name)
            return None

    def _variable(self, var, source):
        found = [s for s in gdb.lookup_static_symbols(var) if s.symtab.filename == source]
        if not found:
            sym = gdb.lookup_global_symbol(var)
            found = [sym] if sym and sym.symtab.filename == source else []
        if not found:
            self.missing.append(f"{var} (in {source})")
            return
        sym = found[0]
        self.addresses[var] = (int(sym.value().address), sym.type.strip_typedefs())

    def check(self):
        if self.missing:
            raise VireoError("the kernel's debug information lacks what tools/gdb reads: " +
                             ", ".join(self.missing) + " (update tools/gdb/vireo/kernel.py)")


class Struct:
    """A kernel struct read into GDB from bytes: s["field"] gives an int (scalars and
    pointers), a str (char arrays), a list (arrays) or a Struct."""

    def __init__(self, host, type_, address, value):
        self.host, self.type, self.address, self.value = host, type_, address, value
        self.type_name = str(type_)

    def __getitem__(self, field):
        wanted = NEEDS.get(self.type_name, ())
        if field not in wanted:
            raise VireoError(f"tools/gdb reads {self.type_name}.{field} but does not list it "
                             f"in kernel.py NEEDS")
        for f in self.type.fields():
            if f.name == field:
                return self.host.convert(self.value[field], self.address + f.bitpos // 8)
        raise VireoError(f"{self.type_name} has no field {field!r} in the kernel's debug "
                         f"information (tools/gdb/vireo/kernel.py needs it)")

    def __eq__(self, other):
        return isinstance(other, Struct) and self.address == other.address

    def __hash__(self):
        return self.address


class Host:
    """The kernel's memory during one command: build it inside `with PhysicalMemory()`."""

    def __init__(self, layout, mem):
        self.layout, self.mem = layout, mem
        self.pages = {}
        space_address, space_type = layout.addresses["space"]
        # The kernel image is at VA = PA, so its own page table's root is read in place.
        space = self.wrap(space_type, space_address,
                          mem.read(space_address, space_type.sizeof))
        root = space["root"]
        satp = (8 << 60) | (root >> 12) if root else 0  # Sv39; Bare before paging is on
        self.space = pagewalk.HostSpace(satp, mem.read_u64, "kernel virtual address")

    def translate(self, va):
        page = va & ~(pagewalk.PAGE_SIZE - 1)
        if page not in self.pages:
            self.pages[page] = self.space.translate(page)
        return self.pages[page] | (va & (pagewalk.PAGE_SIZE - 1))

    def read(self, va, size):
        out = bytearray()
        while size > 0:
            n = min(size, pagewalk.PAGE_SIZE - (va & (pagewalk.PAGE_SIZE - 1)))
            out += self.mem.read(self.translate(va), n)
            va, size = va + n, size - n
        return bytes(out)

    def read_cstring(self, address):
        """A NUL-terminated string of the kernel, up to the end of its page."""
        data = self.read(address, pagewalk.PAGE_SIZE - (address & (pagewalk.PAGE_SIZE - 1)))
        return data.split(b"\0")[0].decode(errors="replace")

    def wrap(self, type_, address, data):
        return Struct(self, type_, address, gdb.Value(data, type_))

    def struct(self, type_name, address):
        if not address:
            raise VireoError(f"a NULL {type_name} pointer")
        t = self.layout.types.get(type_name)
        if t is None:
            raise VireoError(f"no type {type_name} in the kernel's debug information")
        return self.wrap(t, address, self.read(address, t.sizeof))

    def variable(self, name):
        address, type_ = self.layout.addresses[name]
        return self.convert(gdb.Value(self.read(address, type_.sizeof), type_), address)

    def convert(self, value, address):
        t = value.type.strip_typedefs()
        if t.code in _CODE_SCALAR:
            return int(value) & MASK64 if t.code == gdb.TYPE_CODE_PTR else int(value)
        if t.code == gdb.TYPE_CODE_STRUCT:
            return Struct(self, t, address, value)
        if t.code == gdb.TYPE_CODE_ARRAY:
            elem = t.target().strip_typedefs()
            low, high = t.range()
            if elem.code == gdb.TYPE_CODE_INT and elem.sizeof == 1:
                raw = bytes(int(value[i]) & 0xFF for i in range(low, high + 1))
                return raw.split(b"\0")[0].decode(errors="replace")
            return [self.convert(value[i], address + (i - low) * elem.sizeof)
                    for i in range(low, high + 1)]
        raise VireoError(f"tools/gdb cannot read a {t} (type code {t.code})")

    def enum(self, name, value):
        """An enumerator's name without its prefix, lower case: THREAD_BLOCKED -> blocked."""
        names = self.layout.enums.get(name, {})
        if value not in names:
            return f"{value}?"
        return names[value].split("_", 1)[-1].lower()

    # --- the kernel's tables ------------------------------------------------------------

    def harts(self):
        """The harts that are up (their stack is set)."""
        return [h for h in self.variable("harts") if h["stack_base"]]

    def hart_of_thread(self):
        """The hart GDB's selected thread is: QEMU numbers its CPUs' threads from 1, and
        virt's hart ids follow the CPU index."""
        hartid = gdb.selected_thread().num - 1
        for h in self.harts():
            if h["hartid"] == hartid:
                return h
        raise VireoError(f"hart {hartid} (GDB thread {hartid + 1}) is not up in the kernel yet")

    def tasks(self):
        return [self.struct("struct task", p) for p in self.variable("tasks") if p]

    def task(self, task_id):
        for t in self.tasks():
            if t["id"] == task_id:
                return t
        raise VireoError(f"no task {task_id} (`vireo tasks` lists them)")

    def vms(self):
        return [self.struct("struct vm", p) for p in self.variable("vms") if p]

    def vm(self, vm_id):
        for vm in self.vms():
            if vm["id"] == vm_id:
                return vm
        raise VireoError(f"no VM {vm_id} (`vireo vms` lists them)")
