"""The lines of `vireo exits` (tools/gdb/vireo/exits.py), which must be those `hvstat -v`
prints (servers/shell/exits.c); test_gdb.py compares the two on a live ring."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from vireo.exits import ring_lines  # noqa: E402

TIMER_IRQ = (1 << 63) | 5


def test_a_ring_not_yet_full_lists_from_its_first_slot():
    records = [(10, 0x80200010, (0x4442434E << 32) | 0), (21, 0x80200020, 0x10000000)] + \
        [(0, 0, 0)] * 14
    assert ring_lines(0, 2, records) == [
        "  vCPU 0: 2 exits, the last 2 oldest first:",
        "    #1 pc 0000000080200010 sbi dbcn (eid 4442434e) fid 0",
        "    #2 pc 0000000080200020 load guest-page fault at gpa 10000000",
    ]


def test_a_full_ring_starts_at_its_oldest_slot():
    records = [(TIMER_IRQ, i, 0) for i in range(16)]
    lines = ring_lines(1, 20, records)
    assert lines[0] == "  vCPU 1: 20 exits, the last 16 oldest first:"
    assert lines[1] == "    #5 pc 0000000000000004 host timer interrupt"
    assert lines[-1] == "    #20 pc 0000000000000003 host timer interrupt"


def test_each_kind_of_exit():
    cases = [
        ((1 << 63) | 9, 0, "host external interrupt"),
        ((1 << 63) | 1, 0, "host interrupt 1"),
        (10, (0x1 << 32) | 0, "sbi legacy (eid 1) fid 0"),
        (10, (0x12345678 << 32) | 7, "sbi unknown (eid 12345678) fid 7"),
        (20, 0x1234, "fetch guest-page fault at gpa 1234"),
        (23, 0x8000_0000, "store guest-page fault at gpa 80000000"),
        (22, 0x10500073, "virtual instruction 10500073"),
        (2, 0xdead, "trap scause 2 stval dead"),
    ]
    for scause, detail, text in cases:
        assert ring_lines(0, 1, [(scause, 0, detail)])[1].endswith(text), text
