"""Issue: the kernel boots in QEMU and reports the machine it found in the device tree."""
import os
import re

from conftest import BOOTFS, TEST_KERNEL, USER_KERNEL, nm_symbols, number


def test_banner_and_device_tree_report(boot):
    m = boot()
    m.expect(r"Vireo \d+\.\d+\.\d+ \(\S+\), a RISC-V microkernel")
    m.expect(r"boot: done \d+ us after reset")
    out = m.output()
    assert "harts: 1 (booting on hart 0): 0" in out
    assert re.search(r"isa: rv64imafdch\S*_sstc", out)
    assert "extensions: H yes, sstc yes" in out
    assert "ram: 0000000080000000-00000000c0000000 (1024 MiB)" in out
    assert "timebase: 10000000 Hz" in out
    assert "uart: ns16550a at 10000000, irq 10" in out
    assert "plic: at c000000, 96 sources" in out
    slots = number(r"virtio-mmio: (\d+) slots", out)
    assert slots == "8" and "10001000/irq 1" in out and "10008000/irq 8" in out
    initrd_bytes = int(number(r"initrd: \w+-\w+ \((\d+) bytes\)", out))
    assert initrd_bytes == os.path.getsize(BOOTFS)
    free_mib = int(number(r"memory: \d+ pages free \((\d+) MiB\)", out))
    assert 1000 <= free_mib < 1024
    assert "paging: Sv39" in out
    assert "random: 32-byte seed from /chosen/rng-seed" in out


def test_timer_ticks_with_sstc(boot):
    m = boot()
    ms = float(m.expect(r"timer: sstc stimecmp, 100 Hz tick, 3 ticks in ([\d.]+) ms").group(1))
    # Three 10 ms periods, counted from a moment up to one period before the first tick.
    assert 20 <= ms < 1000


def test_timer_ticks_through_sbi_without_sstc(boot):
    m = boot(cpu="rv64,h=true,sstc=false")
    m.expect("extensions: H yes, sstc no")
    ms = float(m.expect(r"timer: SBI TIME, 100 Hz tick, 3 ticks in ([\d.]+) ms").group(1))
    assert 20 <= ms < 1000


def test_refuses_to_run_without_h_extension(boot):
    m = boot(cpu="rv64,h=false")
    m.expect("extensions: H no")
    m.expect(r"this hart has no H extension \(riscv,isa \"rv64imafdc\S*\"\)")
    m.expect("run QEMU with -cpu rv64,h=true")
    m.exited()
    assert "boot: done" not in m.output()


def test_user_image_has_no_test_hooks(boot):
    assert not {"testhook_before_parse", "panic_depth1"} & nm_symbols(USER_KERNEL)
    assert "testhook_before_parse" in nm_symbols(TEST_KERNEL)
    m = boot(append="vireo.test=panic")
    m.expect("vireo> ")
    assert "PANIC" not in m.output()
