"""Issue: the hypervisor core, proven by the bare-metal test guests of guest/tests/, run
from the shell with `vm run` as a person would."""
import os
import re
import shutil
import subprocess

import pytest

from conftest import ROOT, TEST_BOOTFS, TEST_KERNEL

GUESTS_PASSING = ["hello", "sbi-probe", "timer", "wfi", "mmio", "vplic", "virtio-rng", "fault"]
GUESTS_PASSING += ["sbi-pmu"]

# The line that ends a guest's run; reboots and device warnings come before it.
GUEST_END = r"\[vm \d+ \(\S+\): (?!rebooting|virtio-|further device warnings)[^\]]*\]"


def run_guest(shell, args, timeout=60):
    """Runs a guest to its end and returns what it printed (device warnings included)."""
    shell.send(f"vm run {args}\r")
    shell.expect(GUEST_END, timeout=timeout)
    end = shell.child.match.group(0)
    out = shell.prompt()
    return shell.output().split(f"vm run {args}")[-1], end


def assert_all_passed(out, end):
    assert "FAIL" not in out, out
    m = re.search(r"DONE: (\d+) passed, 0 failed", out)
    assert m and int(m.group(1)) > 0, out
    assert "powered off, reason 0" in end, end


@pytest.mark.parametrize("guest", GUESTS_PASSING)
def test_guest_passes_its_checks(shell, guest):
    out, end = run_guest(shell, f"/boot/guest/{guest}.elf")
    assert_all_passed(out, end)
    assert shell.run("echo shell ok") == "shell ok"


def test_virtio_rng_misuse_is_reported_in_one_line_each(shell):
    out, end = run_guest(shell, "/boot/guest/virtio-rng.elf")
    assert_all_passed(out, end)
    vm = r"\[vm \d+ \(virtio-rng\.elf\): virtio-rng: "
    for line in (
            r"driver did not accept VIRTIO_F_VERSION_1 \(legacy drivers unsupported\)",
            r"1-byte read at offset 0x0 \(registers take aligned 32-bit accesses\)",
            r"read at undefined offset 0x48",
            r"descriptor 0 outside guest RAM; the device needs a reset",
            r"queue 0: queue size 6 is not a power of two up to QueueNumMax; the device needs a reset",
            r"queue 0 notified before DRIVER_OK"):
        assert re.search(vm + line + r"\]", out), (line, out)
    # The monitor's limit (GUEST_WARNINGS_MAX): 20 lines, then one saying the rest are dropped.
    assert len(re.findall(r"\[vm \d+ \(virtio-rng\.elf\): virtio-rng: ", out)) == 20, out
    assert out.count("further device warnings dropped]") == 1, out
    assert shell.run("echo shell ok") == "shell ok"


def test_without_a_seed_there_is_no_virtio_rng(boot):
    m = boot(kernel=TEST_KERNEL, initrd=TEST_BOOTFS, append="vireo.test=no-rng-seed")
    m.expect(r"random: none \(no /chosen/rng-seed\); SYS_RANDOM will fail")
    m.prompt(timeout=30)
    out, end = run_guest(m, "/boot/guest/virtio-rng.elf")
    # No device window at 0x10001000: the guest's first read is an access fault.
    assert "PASS: virtio-mmio" not in out and "FAIL" in out, out
    assert "virtio-rng:" not in out, out
    assert m.run("echo shell ok") == "shell ok"


def test_hello_over_dbcn_and_legacy_console(shell):
    out, _ = run_guest(shell, "/boot/guest/hello.elf")
    assert "hello over DBCN" in out and "hello over legacy putchar" in out


def test_raw_binary_loads_like_qemu_kernel(shell):
    out, end = run_guest(shell, "/boot/guest/hello.bin")
    assert_all_passed(out, end)


def test_guest_ram_is_zero_on_first_touch_and_ends_where_it_should(shell):
    out, end = run_guest(shell, "/boot/guest/ram.elf ram=16")
    assert_all_passed(out, end)
    assert re.search(r"PASS: [1-9]\d* untouched chunks read as zero", out), out


def test_second_vcpu_through_hsm(shell):
    out, end = run_guest(shell, "/boot/guest/hsm.elf cpus=2")
    assert_all_passed(out, end)
    assert "hart 1 started with its opaque value" in out


def test_guest_reboot_then_shutdown(shell):
    out, end = run_guest(shell, "/boot/guest/reboot.elf")
    assert "reboot: first boot" in out and "rebooting]" in out
    assert "PASS: came back after a reboot" in out
    assert_all_passed(out, end)


def test_timer_and_wfi_without_sstc(boot):
    m = boot(initrd=TEST_BOOTFS, cpu="rv64,h=true,sstc=false")
    m.prompt(timeout=30)
    for guest in ("timer", "wfi"):
        out, end = run_guest(m, f"/boot/guest/{guest}.elf")
        assert_all_passed(out, end)


def test_detach_list_attach_and_kill(shell):
    shell.send("vm run /boot/guest/spin.elf\r")
    shell.expect("spin: spinning forever")
    shell.send("\x1d")
    shell.expect(r"\[detached from vm (\d+); 'vm attach \d+' goes back\]")
    vm = shell.child.match.group(1)
    shell.prompt()
    assert re.search(rf"^\s+{vm}\s+spin.elf\s+1\s+64 MiB running$", shell.run("vm list"), re.M)
    stats = shell.run("hvstat")
    assert re.search(rf"vm {vm} \(spin.elf\): 1 vCPUs, 64 MiB, \d+ exits", stats), stats
    assert re.search(r"host timer interrupt\s+\d+", stats), stats
    assert shell.run("echo the shell answers while the guest spins") == \
        "the shell answers while the guest spins"
    shell.send(f"vm attach {vm}\r")
    shell.send("\x1d")
    shell.expect(rf"\[detached from vm {vm};")
    shell.prompt()
    assert shell.run(f"vm kill {vm}") == f"killed vm {vm}"
    assert "spin" not in shell.run("vm list")
    assert shell.run(f"vm kill {vm}") == f"vm: {vm}: not found"


def test_guest_jumping_to_garbage_is_stopped(shell):
    out, end = run_guest(shell, "/boot/guest/garbage.elf")
    assert "garbage: jumping to 0x1234" in out
    assert re.search(r"stopped: vCPU 0 stuck on exception 20 at pc 1234", end), end
    assert shell.run("echo fine") == "fine"


def test_sbi_calls_with_garbage_arguments(shell):
    out, end = run_guest(shell, "/boot/guest/sbi-fuzz.elf", timeout=120)
    assert re.search(r"DONE: sbi-fuzz survived \d+ calls", out), out
    assert "powered off, reason 0" in end


def test_console_flood_leaves_the_shell_responsive(shell):
    shell.send("vm run /boot/guest/flood.elf\r")
    shell.send("\x1d")
    shell.expect(r"\[detached from vm (\d+);")
    vm = shell.child.match.group(1)
    shell.prompt()
    assert shell.run("echo still typing") == "still typing"
    out = shell.run(f"vm kill {vm}")
    assert out in (f"killed vm {vm}", f"vm: {vm}: not found")  # it may have finished


def test_bad_vm_run_arguments(shell):
    assert shell.run("vm run /boot/guest/nothing.elf") == \
        "vm: /boot/guest/nothing.elf: not found"
    assert shell.run("vm run /boot/guest/hello.elf ram=0") == \
        "vm: ram= takes MiB from 4 to 2048"
    assert shell.run("vm run /boot/guest/hello.elf ram=999999") == \
        "vm: ram= takes MiB from 4 to 2048"
    assert shell.run("vm run /boot/guest/hello.elf cpus=9") == "vm: cpus= takes 1 to 8"
    assert shell.run("vm run /boot/guest/hello.elf colour=blue") == \
        "vm: unknown option: colour=blue"
    assert shell.run("vm attach 42") == "vm: 42: not found"
    assert shell.run("vm frob").startswith("vm: unknown subcommand")


def test_make_run_extra_adds_files_under_extra(boot, tmp_path):
    extra = tmp_path / "mine"
    extra.mkdir()
    shutil.copy(os.path.join(ROOT, "build", "guest", "hello.bin"), extra / "test.flat")
    make = ["make", "-s", "-C", ROOT, "build/bootfs.cpio"]
    try:
        subprocess.run(make + [f"EXTRA={extra}"], check=True, capture_output=True)
        m = boot()
        m.prompt(timeout=30)
        assert "test.flat" in m.run("ls /boot/extra")
        out, end = run_guest(m, "/boot/extra/test.flat")
        assert_all_passed(out, end)
    finally:
        subprocess.run(make + ["EXTRA="], check=True, capture_output=True)
