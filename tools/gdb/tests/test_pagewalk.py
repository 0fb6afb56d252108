"""The guest address walker (tools/gdb/vireo/pagewalk.py) on page tables built by hand in a
sparse memory image: what a hart would translate, and the sentence for what it would not."""
import os
import struct
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from vireo import pagewalk  # noqa: E402
from vireo.pagewalk import (PTE_R, PTE_U, PTE_V, PTE_W, PTE_X, GuestSpace, HostSpace,  # noqa: E402
                            PhysicalReadError, TranslationError)

RWX = PTE_R | PTE_W | PTE_X
GIB, MIB, KIB = 1 << 30, 1 << 20, 1 << 10


class Memory:
    """Physical memory as a dict of 8-byte words; reading a word nobody wrote fails, as
    reading outside RAM would."""

    def __init__(self):
        self.words = {}

    def write(self, address, value):
        assert address % 8 == 0
        self.words[address] = value

    def read_u64(self, address):
        if address not in self.words:
            raise PhysicalReadError(f"no memory at {address:#x}")
        return self.words[address]

    def read(self, address, size):
        data = b"".join(struct.pack("<Q", self.words.get(a & ~7, 0))
                        for a in range(address & ~7, address + size, 8))
        return data[address & 7:(address & 7) + size]


def pte(pa, flags):
    return ((pa >> 12) << 10) | flags | PTE_V


def satp(mode, root):
    return (mode << 60) | (root >> 12)


class Tables:
    """Builds tables in a Memory: map() adds a leaf at a level, making the pointers down to
    it in fresh pages from next_page. root_extra widens the root (G-stage x4 forms). For a
    guest's own tables, gpa_of_table turns each table's guest physical address into the
    physical page it is at (through the G-stage the test also builds)."""

    def __init__(self, mem, levels, root, next_page, root_extra=0, table_phys=lambda a: a):
        self.mem, self.levels, self.root = mem, levels, root
        self.next_page, self.root_extra, self.table_phys = next_page, root_extra, table_phys
        self.zero(root, 4096 << root_extra)

    def zero(self, address, size):
        for a in range(address, address + size, 8):
            self.mem.write(self.table_phys(a), 0)

    def index(self, va, level):
        bits = 9 + (self.root_extra if level == self.levels - 1 else 0)
        return (va >> (12 + 9 * level)) & ((1 << bits) - 1)

    def entry_address(self, va, level):
        table = self.root
        for lv in range(self.levels - 1, level, -1):
            slot = table + 8 * self.index(va, lv)
            e = self.mem.read_u64(self.table_phys(slot))
            if not e & PTE_V:
                page, self.next_page = self.next_page, self.next_page + 4096
                self.zero(page, 4096)
                e = pte(page, 0)
                self.mem.write(self.table_phys(slot), e)
            table = (e >> 10) << 12
        return table + 8 * self.index(va, level)

    def map(self, va, pa, level=0, flags=RWX):
        self.set(va, level, pte(pa, flags))

    def set(self, va, level, value):
        self.mem.write(self.table_phys(self.entry_address(va, level)), value)


HOST_ROOT = 0x8000_0000


def host_space(mem, mode=8, levels=3):
    return Tables(mem, levels, HOST_ROOT, HOST_ROOT + 0x10_0000), \
        HostSpace(satp(mode, HOST_ROOT), mem.read_u64)


def test_sv39_4k_page_present_and_absent():
    mem = Memory()
    t, space = host_space(mem)
    t.map(0x20_0000_1000, 0x8123_4000)
    assert space.translate(0x20_0000_1abc) == 0x8123_4abc
    with pytest.raises(TranslationError) as e:
        space.translate(0x20_0000_2000)
    assert "host virtual address 0x2000002000" in str(e.value)
    assert "Sv39 level 0 entry" in str(e.value) and "is not valid" in str(e.value)


def test_megapage_and_gigapage():
    mem = Memory()
    t, space = host_space(mem)
    t.map(0x4020_0000, 0x9000_0000, level=1)
    t.map(0x1_0000_0000, 0xc000_0000, level=2)
    assert space.translate(0x4020_0000 + 0x12_3456) == 0x9012_3456
    assert space.translate(0x1_0000_0000 + 0x3456_789a) == 0xc000_0000 + 0x3456_789a


def test_misaligned_superpage_is_refused():
    mem = Memory()
    t, space = host_space(mem)
    t.map(0x4020_0000, 0x9000_1000, level=1)  # a 2 MiB leaf whose PPN is not 2 MiB-aligned
    with pytest.raises(TranslationError, match="level 1 entry .* misaligned superpage"):
        space.translate(0x4020_0000)


@pytest.mark.parametrize("flags,why", [
    (PTE_W, "W without R"),
    (RWX | (1 << 54), "reserved bits"),
    (RWX | (3 << 61), "PBMT value 3"),
])
def test_invalid_leaf_entries(flags, why):
    mem = Memory()
    t, space = host_space(mem)
    t.map(0x20_0000_0000, 0x8100_0000, flags=flags)
    with pytest.raises(TranslationError, match=why):
        space.translate(0x20_0000_0000)


def test_pointer_at_the_last_level_is_refused():
    mem = Memory()
    t, space = host_space(mem)
    t.set(0x20_0000_0000, 0, pte(0x8100_0000, 0))
    with pytest.raises(TranslationError, match="level 0 entry .* further table"):
        space.translate(0x20_0000_0000)


def test_noncanonical_address_is_refused():
    mem = Memory()
    _, space = host_space(mem)
    with pytest.raises(TranslationError, match="beyond what Sv39 translates"):
        space.translate(0x0000_4000_0000_0000)


def test_table_outside_memory_names_level():
    mem = Memory()
    t, space = host_space(mem)
    t.set(0x20_0000_0000, 2, pte(0x7_0000_0000, 0))  # points where nothing can be read
    with pytest.raises(TranslationError) as e:
        space.translate(0x20_0000_0000)
    assert "Sv39 level 1 entry at physical 0x700000000" in str(e.value)
    assert "cannot be read" in str(e.value)


def test_napot_64k_page():
    mem = Memory()
    t, space = host_space(mem)
    napot = (((0x8120_0000 >> 12) | 0b1000) << 10) | RWX | PTE_V | pagewalk.PTE_N
    t.set(0x20_0000_0000 + 0x3000, 0, napot)
    assert space.translate(0x20_0000_3123) == 0x8120_3123


# --- guests: VS-stage over the G-stage -----------------------------------------------------

G_ROOT = 0x8400_0000  # 16 KiB, 16 KiB-aligned
GUEST_RAM_GPA = 0x8000_0000
GUEST_RAM_HPA = 0x9000_0000  # guest RAM is 16 MiB of host memory from here
V_ROOT_GPA = 0x8010_0000  # the guest's own root table, in its RAM


def gstage(mem):
    g = Tables(mem, 3, G_ROOT, G_ROOT + 0x10_0000, root_extra=2)
    for off in range(0, 16 * MIB, 2 * MIB):
        g.map(GUEST_RAM_GPA + off, GUEST_RAM_HPA + off, level=1, flags=RWX | PTE_U)
    return g


def hgatp(root):
    return (8 << 60) | (3 << 44) | (root >> 12)  # Sv39x4, VMID 3


def guest_tables(mem, levels):
    to_hpa = lambda gpa: gpa - GUEST_RAM_GPA + GUEST_RAM_HPA  # noqa: E731
    return Tables(mem, levels, V_ROOT_GPA, V_ROOT_GPA + 0x1000, table_phys=to_hpa)


@pytest.mark.parametrize("mode,levels,va", [
    (8, 3, 0xffff_ffff_8000_1234),
    (9, 4, 0xffff_ffff_8000_1234),
    (10, 5, 0xffff_ffff_8000_1234),
    (10, 5, 0xff60_0000_0000_5678),
])
def test_guest_virtual_through_both_stages(mode, levels, va):
    mem = Memory()
    gstage(mem)
    guest_tables(mem, levels).map(va & ~0xfff, 0x8020_0000)
    space = GuestSpace(satp(mode, V_ROOT_GPA), hgatp(G_ROOT), mem.read_u64)
    assert space.translate(va) == GUEST_RAM_HPA + 0x20_0000 + (va & 0xfff)


def test_guest_with_mmu_off_goes_through_the_gstage_only():
    mem = Memory()
    gstage(mem)
    space = GuestSpace(0, hgatp(G_ROOT), mem.read_u64)
    assert space.mode.startswith("Bare")
    assert space.translate(0x8020_0010) == GUEST_RAM_HPA + 0x20_0010


def test_gstage_wide_root_index():
    """Sv39x4's root index has two more bits: GPA bit 39 and 40 select its upper quarters."""
    mem = Memory()
    g = Tables(mem, 3, G_ROOT, G_ROOT + 0x10_0000, root_extra=2)
    g.map(0x180_0000_0000, 0xc000_0000, level=2, flags=RWX | PTE_U)
    space = GuestSpace(0, hgatp(G_ROOT), mem.read_u64)
    assert space.translate_gpa(0x180_0000_0042) == 0xc000_0042
    with pytest.raises(TranslationError, match="beyond what Sv39x4 translates"):
        space.translate_gpa(0x200_0000_0000)


def test_gstage_leaf_without_u_faults():
    mem = Memory()
    g = Tables(mem, 3, G_ROOT, G_ROOT + 0x10_0000, root_extra=2)
    g.map(GUEST_RAM_GPA, GUEST_RAM_HPA, level=1, flags=RWX)
    space = GuestSpace(0, hgatp(G_ROOT), mem.read_u64)
    with pytest.raises(TranslationError, match="leaf without U"):
        space.translate(GUEST_RAM_GPA)


def test_gstage_that_does_not_map_the_guests_table_page():
    mem = Memory()
    gstage(mem)
    # The guest's root points at a next-level table outside its RAM, at gpa 0x4000_0000.
    root_entry = V_ROOT_GPA + 8 * 510 - GUEST_RAM_GPA + GUEST_RAM_HPA
    for a in range(V_ROOT_GPA, V_ROOT_GPA + 4096, 8):
        mem.write(a - GUEST_RAM_GPA + GUEST_RAM_HPA, 0)
    mem.write(root_entry, pte(0x4000_0000, 0))
    space = GuestSpace(satp(8, V_ROOT_GPA), hgatp(G_ROOT), mem.read_u64)
    with pytest.raises(TranslationError) as e:
        space.translate(0xffff_ffff_8000_0000)
    text = str(e.value)
    assert text.startswith("cannot translate guest virtual address 0xffffffff80000000")
    assert "Sv39 level 1 entry at guest physical 0x40000000 cannot be read" in text
    assert "G-stage does not map that table page" in text
    assert "guest physical address 0x40000000: Sv39x4 level 2 entry" in text


def test_guest_leaf_outside_guest_ram():
    mem = Memory()
    gstage(mem)
    guest_tables(mem, 3).map(0xffff_ffff_8000_0000, 0x1_0000_0000)
    space = GuestSpace(satp(8, V_ROOT_GPA), hgatp(G_ROOT), mem.read_u64)
    with pytest.raises(TranslationError, match="it is guest physical 0x100000000, and "
                                               "cannot translate guest physical address"):
        space.translate(0xffff_ffff_8000_0000)


def test_garbage_guest_tables_give_a_sentence():
    """Random words as the guest's root table: whatever happens is a TranslationError."""
    import random
    rng = random.Random(15)
    mem = Memory()
    gstage(mem)
    for a in range(V_ROOT_GPA, V_ROOT_GPA + 4096, 8):
        mem.write(a - GUEST_RAM_GPA + GUEST_RAM_HPA, rng.getrandbits(64))
    space = GuestSpace(satp(8, V_ROOT_GPA), hgatp(G_ROOT), mem.read_u64)
    failures = 0
    for _ in range(200):
        va = rng.getrandbits(39)
        va |= -(va >> 38) << 39 & (2**64 - 1)  # sign-extended: canonical
        try:
            space.translate(va)
        except TranslationError as e:
            assert "level" in str(e) and f"{va:#x}" in str(e)
            failures += 1
    assert failures > 0


def test_reserved_modes_are_named():
    with pytest.raises(TranslationError, match="vsatp .* MODE \\(5\\) that is reserved"):
        GuestSpace(5 << 60, hgatp(G_ROOT), Memory().read_u64)
    with pytest.raises(TranslationError, match="hgatp 0x0 is Bare"):
        GuestSpace(0, 0, Memory().read_u64)


def test_read_through_crosses_pages():
    mem = Memory()
    t, space = host_space(mem)
    t.map(0x20_0000_0000, 0x8200_0000)
    t.map(0x20_0000_1000, 0x8100_0000)  # the next virtual page is physically below
    mem.write(0x8200_0ff8, 0x1111111111111111)
    mem.write(0x8100_0000, 0x2222222222222222)
    data = pagewalk.read_through(space, 0x20_0000_0ffc, 8, mem.read)
    assert data == bytes.fromhex("1111111122222222")
