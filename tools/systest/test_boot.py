"""Issue: the kernel boots in QEMU and reports the machine it found in the device tree."""
import os
import re
import subprocess

import pytest

from conftest import (BOOTFS, QEMU_SH, ROOT, TEST_KERNEL, USER_KERNEL, nm_symbols, number,
                      qemu_device_tree)


def test_banner_and_device_tree_report(boot, tmp_path):
    tree = qemu_device_tree(tmp_path)
    m = boot()
    m.expect(r"Vireo \d+\.\d+\.\d+ \(\S+\), a RISC-V microkernel")
    m.expect(r"boot: done \d+ us after reset")
    out = m.output()
    assert "harts: 1 (booting on hart 0): 0" in out
    # Whole, however long: QEMU 10's is over 300 characters.
    assert re.search(rf"^isa: {re.escape(tree('/cpus/cpu@0', 'riscv,isa'))}\r*$", out, re.M)
    assert re.search(r"isa: rv64imafdch\S*_sstc", out)
    assert "extensions: H yes, sstc yes" in out
    assert "ram: 0000000080000000-00000000c0000000 (1024 MiB)" in out
    assert "timebase: 10000000 Hz" in out
    assert "uart: ns16550a at 10000000, irq 10" in out
    # QEMU 7.2 says 96, QEMU 10 95 (source 0 is none).
    assert f"plic: at c000000, {tree('/soc/plic@c000000', 'riscv,ndev', 'u')} sources" in out
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


def test_refuses_to_run_without_h_extension(boot, tmp_path):
    isa = qemu_device_tree(tmp_path, cpu="rv64,h=false")("/cpus/cpu@0", "riscv,isa")
    assert isa.startswith("rv64imafdc_")
    m = boot(cpu="rv64,h=false")
    m.expect("extensions: H no")
    m.expect(re.escape(f'this hart has no H extension (riscv,isa "{isa}")'))
    m.expect("run QEMU with -cpu rv64,h=true")
    m.exited()
    assert "boot: done" not in m.output()


def test_user_image_has_no_test_hooks(boot):
    assert not {"testhook_before_parse", "panic_depth1"} & nm_symbols(USER_KERNEL)
    assert "testhook_before_parse" in nm_symbols(TEST_KERNEL)
    m = boot(append="vireo.test=panic")
    m.expect("vireo> ")
    assert "PANIC" not in m.output()


def test_long_bootargs_reported_whole(boot):
    """The report prints device-tree strings whole, past the kernel's 256-byte console line."""
    args = " ".join(f"word{i:03d}" for i in range(60))
    assert len(args) > 400
    m = boot(append=args)
    m.expect(re.escape(f'bootargs: "{args}"'))
    m.expect("vireo> ")


def test_launch_line_runs_the_qemu_asked_for():
    """tools/qemu.sh runs the system's QEMU, or with VIREO_QEMU=N (make QEMU=N) QEMU N."""
    out = subprocess.run([QEMU_SH, "--", "-version"], check=True, capture_output=True,
                         text=True).stdout
    wanted = os.environ.get("VIREO_QEMU")
    if wanted:
        assert out.startswith(f"QEMU emulator version {wanted}."), out
    else:
        system = subprocess.run(["qemu-system-riscv64", "-version"], check=True,
                                capture_output=True, text=True).stdout
        assert out == system


@pytest.mark.skipif(not os.environ.get("VIREO_QEMU"),
                    reason="the system's QEMU boots the firmware it was packaged with")
def test_newer_qemu_boots_the_opensbi_unpacked_with_it(boot):
    """-bios default must find the backports' OpenSBI (1.5 for QEMU 10), not the system's."""
    tree = subprocess.run([os.path.join(ROOT, "tools", "qemu-backports.sh"),
                           os.environ["VIREO_QEMU"]], check=True, capture_output=True,
                          text=True).stdout.strip()
    with open(os.path.join(tree, "versions")) as f:
        opensbi = dict(line.split() for line in f)["opensbi"]
    major, minor = re.match(r"(\d+)\.(\d+)", opensbi).groups()
    m = boot()
    m.expect(rf"OpenSBI v(\d+\.\d+)")
    assert m.child.match.group(1) == f"{major}.{minor}", m.output()
    m.expect("vireo> ")
