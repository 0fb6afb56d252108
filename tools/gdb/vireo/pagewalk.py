"""Address translation as a RISC-V hart does it, over memory the caller reads: Sv39, Sv48
and Sv57 (priv spec 4.4-4.6) for satp and vsatp, and their x4 forms for the G-stage
(hgatp, priv spec 8.5.1). A guest virtual address goes through the guest's own tables
(VS-stage), and every guest physical address on the way, those of the guest's table pages
included, through the G-stage.

Pure Python with no GDB in it, so that tools/gdb/tests can check it on page tables made
up in memory images. Whatever cannot be translated raises TranslationError, which says
which address failed, at which stage and level, and why."""

PAGE_SHIFT = 12
PAGE_SIZE = 1 << PAGE_SHIFT
PTE_V, PTE_R, PTE_W, PTE_X, PTE_U = 1 << 0, 1 << 1, 1 << 2, 1 << 3, 1 << 4
PTE_PPN_SHIFT = 10
PTE_PPN_BITS = 44
# Bits 60:54 are reserved (priv spec 4.4.1); 62:61 are Svpbmt's PBMT, where 3 is reserved;
# 63 is Svnapot's N.
PTE_RESERVED = ((1 << 7) - 1) << 54
PTE_PBMT_SHIFT = 61
PTE_N = 1 << 63
NAPOT_64K_PPN = 0b1000  # the only NAPOT size defined: 64 KiB (Svnapot)


class TranslationError(Exception):
    """Raised with a sentence naming the address, stage and level that failed."""


class PhysicalReadError(Exception):
    """A read callback raises this for a physical address it cannot read."""


class Paging:
    """One translation scheme: LEVELS levels of 9 index bits over 4 KiB pages, the root's
    index widened by ROOT_EXTRA bits (2 for the G-stage's x4 forms, whose 16 KiB root
    covers two more address bits). A virtual address must be sign-extended from its top
    bit; a guest physical one must have nothing above its top bit."""

    def __init__(self, name, levels, root_extra=0):
        self.name = name
        self.levels = levels
        self.root_extra = root_extra
        self.address_bits = PAGE_SHIFT + 9 * levels + root_extra
        self.guest_physical = root_extra != 0

    def index(self, address, level):
        bits = 9 + (self.root_extra if level == self.levels - 1 else 0)
        return (address >> (PAGE_SHIFT + 9 * level)) & ((1 << bits) - 1)

    def in_range(self, address):
        top = address >> (self.address_bits - (0 if self.guest_physical else 1))
        if self.guest_physical:
            return top == 0
        return top in (0, (1 << (64 - self.address_bits + 1)) - 1)

    def __repr__(self):
        return self.name


SV39, SV48, SV57 = Paging("Sv39", 3), Paging("Sv48", 4), Paging("Sv57", 5)
SV39X4, SV48X4, SV57X4 = Paging("Sv39x4", 3, 2), Paging("Sv48x4", 4, 2), Paging("Sv57x4", 5, 2)
# The MODE field, bits 63:60 of satp, vsatp and hgatp (priv spec 4.1.11 and 8.2.10).
SATP_MODES = {8: SV39, 9: SV48, 10: SV57}
HGATP_MODES = {8: SV39X4, 9: SV48X4, 10: SV57X4}
MODE_BARE = 0
PPN_MASK = (1 << 44) - 1


def _root(register, name, modes):
    register &= (1 << 64) - 1
    mode = register >> 60
    if mode == MODE_BARE:
        return None, 0
    if mode not in modes:
        raise TranslationError(f"{name} {register:#x} has a MODE ({mode}) that is reserved")
    paging = modes[mode]
    ppn = register & PPN_MASK
    if paging.root_extra:
        ppn &= ~((1 << paging.root_extra) - 1)  # the 16 KiB root is 16 KiB-aligned
    return paging, ppn << PAGE_SHIFT


class PageTable:
    """One address space: translate(address) gives the physical address behind it.
    read_pte(address) reads the 8-byte entry at a table address, which is physical, or
    guest physical for a guest's own tables (GuestSpace passes a reader that translates)."""

    def __init__(self, paging, root, read_pte, what, tables_in="physical"):
        self.paging = paging
        self.root = root
        self.read_pte = read_pte
        self.what = what  # "guest virtual address", "host virtual address", ...
        self.tables_in = tables_in  # the kind of address its table entries are at

    def translate(self, address):
        p = self.paging
        if not p.in_range(address):
            raise TranslationError(f"cannot translate {self.what} {address:#x}: it is beyond "
                                   f"what {p.name} translates ({p.address_bits} bits)")
        table = self.root
        for level in range(p.levels - 1, -1, -1):
            entry_address = table + 8 * p.index(address, level)
            where = f"{p.name} level {level} entry at {self.tables_in} {entry_address:#x}"
            try:
                pte = self.read_pte(entry_address)
            except (TranslationError, PhysicalReadError) as e:
                raise TranslationError(f"cannot translate {self.what} {address:#x}: {where} "
                                       f"cannot be read: {e}") from None
            problem = _pte_problem(pte, level)
            if problem:
                raise TranslationError(f"cannot translate {self.what} {address:#x}: {where} "
                                       f"{problem} (PTE {pte:#x})")
            ppn = (pte >> PTE_PPN_SHIFT) & ((1 << PTE_PPN_BITS) - 1)
            if pte & (PTE_R | PTE_X):
                return self._leaf(address, pte, ppn, level, where)
            table = ppn << PAGE_SHIFT
        raise AssertionError("unreachable: level 0 entries are leaves or rejected")

    def _leaf(self, address, pte, ppn, level, where):
        if self.paging.guest_physical and not pte & PTE_U:
            # Priv spec 8.5.1: G-stage accesses are user accesses, so a leaf without U faults.
            raise TranslationError(f"cannot translate {self.what} {address:#x}: {where} is a "
                                   f"leaf without U, which a G-stage access faults on "
                                   f"(PTE {pte:#x})")
        low_bits = 9 * level
        if ppn & ((1 << low_bits) - 1):
            raise TranslationError(f"cannot translate {self.what} {address:#x}: {where} is a "
                                   f"misaligned superpage (PTE {pte:#x})")
        if pte & PTE_N:  # Svnapot: a 64 KiB page, the low four bits of ppn say so
            return ((ppn & ~0xf) << PAGE_SHIFT) | (address & 0xffff)
        offset_bits = PAGE_SHIFT + low_bits
        return (ppn << PAGE_SHIFT) | (address & ((1 << offset_bits) - 1))


def _pte_problem(pte, level):
    """Why a hart would fault on this entry (priv spec 4.3.2 steps 3 and 5), or None."""
    if not pte & PTE_V:
        return "is not valid"
    if pte & PTE_W and not pte & PTE_R:
        return "has W without R, which is reserved"
    if pte & PTE_RESERVED:
        return "has reserved bits 60:54 set"
    if (pte >> PTE_PBMT_SHIFT) & 3 == 3:
        return "has the reserved PBMT value 3"
    leaf = pte & (PTE_R | PTE_X)
    if not leaf:
        if level == 0:
            return "points to a further table below the last level"
        if pte & PTE_N or (pte >> PTE_PBMT_SHIFT) & 3:
            return "is a pointer with N or PBMT set, which is reserved"
    elif pte & PTE_N:
        ppn = (pte >> PTE_PPN_SHIFT) & 0xf
        if level != 0 or ppn != NAPOT_64K_PPN:
            return "has N set with a NAPOT size that is reserved"
    return None


class HostSpace:
    """A host address space (the kernel's, or a task's) from its satp value."""

    def __init__(self, satp, read_phys_u64, what="host virtual address"):
        paging, root = _root(satp, "satp", SATP_MODES)
        self.table = PageTable(paging, root, read_phys_u64, what) if paging else None

    def translate(self, address):
        return self.table.translate(address) if self.table else address


class GuestSpace:
    """A guest's view of memory from its vsatp and its VM's hgatp: translate() takes a guest
    virtual address to a host physical one, translate_gpa() a guest physical one."""

    def __init__(self, vsatp, hgatp, read_phys_u64):
        gpaging, groot = _root(hgatp, "hgatp", HGATP_MODES)
        if gpaging is None:
            raise TranslationError(f"hgatp {hgatp:#x} is Bare: the VM has no G-stage tables")
        self.gstage = PageTable(gpaging, groot, read_phys_u64, "guest physical address")
        self.vs_paging, vroot = _root(vsatp, "vsatp", SATP_MODES)
        self.vsatp = vsatp
        if self.vs_paging:
            self.vs = PageTable(self.vs_paging, vroot, self._read_guest_pte,
                                "guest virtual address", "guest physical")

    @property
    def mode(self):
        return self.vs_paging.name if self.vs_paging else "Bare (MMU off)"

    def _read_guest_pte(self, gpa):
        """A VS-stage entry: its guest physical address goes through the G-stage first."""
        try:
            hpa = self.gstage.translate(gpa)
        except TranslationError as e:
            raise TranslationError(f"the G-stage does not map that table page: {e}") from None
        return self.gstage.read_pte(hpa)

    def translate_gpa(self, gpa):
        return self.gstage.translate(gpa)

    def translate(self, gva):
        if not self.vs_paging:
            return self.gstage.translate(gva)  # MMU off: the guest's addresses are physical
        gpa = self.vs.translate(gva)
        try:
            return self.gstage.translate(gpa)
        except TranslationError as e:
            raise TranslationError(f"cannot translate guest virtual address {gva:#x}: it is "
                                   f"guest physical {gpa:#x}, and {e}") from None


def read_through(space, address, size, read_phys):
    """size bytes at address of an address space (HostSpace or GuestSpace), a page at a
    time: contiguous virtual pages need not be contiguous physically."""
    out = bytearray()
    while size > 0:
        n = min(size, PAGE_SIZE - (address & (PAGE_SIZE - 1)))
        out += read_phys(space.translate(address), n)
        address += n
        size -= n
    return bytes(out)
