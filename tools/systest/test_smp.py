"""Issue 13, step 5: SMP guests. `linux cpus=N` boots Linux on N vCPUs, which the hypervisor
time-slices on one host hart and spreads in lanes over two (docs/design.md 6.9); the bare-metal guests of guest/tests/ prove the SBI IPI, HSM and
RFENCE extensions across vCPUs; a device interrupt follows Linux's affinity to another vCPU
through the virtual PLIC's per-hart contexts."""
import re

import pytest

from conftest import TEST_BOOTFS, TEST_KERNEL, free_pages
from test_hypervisor import assert_all_passed, run_guest
from test_linux import boot_linux, guest, power_off


def warm_pages(shell):
    """Free pages once the monitor has run a guest of two vCPUs: its first one leaves page
    tables of its own behind (the bootfs mapping, and on two harts the window of the stacks
    and IPC buffers of the thread that runs lane 1), which the next guests reuse."""
    assert_all_passed(*run_guest(shell, "/boot/guest/hello.bin cpus=2"))
    return free_pages(shell)


@pytest.mark.parametrize("cpus", [2, 4, 8])
def test_linux_boots_on_n_vcpus(shell, cpus):
    before = warm_pages(shell)
    boot_linux(shell, f"cpus={cpus}")
    assert guest(shell, "nproc").strip() == str(cpus)
    cpuinfo = guest(shell, "cat /proc/cpuinfo")
    assert re.findall(r"^hart\s*: (\d+)", cpuinfo, re.M) == [str(i) for i in range(cpus)], \
        cpuinfo
    assert guest(shell, "dmesg | grep 'smp: Brought up'").strip().endswith(
        f"smp: Brought up 1 node, {cpus} CPUs")
    # Every vCPU runs work: pinned to each, a task runs there (field 39 of its stat). The
    # last line: a kernel message ("hrtimer: interrupt took ...") may come first.
    for cpu in range(cpus):
        out = guest(shell, f"taskset {1 << cpu:x} cut -d' ' -f39 /proc/self/stat")
        assert out.strip().splitlines()[-1] == str(cpu), out
    power_off(shell)
    assert shell.run("echo shell ok") == "shell ok"
    assert free_pages(shell) == before


def virtio_rng_line(shell):
    """The virtio-rng's line of /proc/interrupts: Linux's irq number and one count per CPU."""
    interrupts = guest(shell, "cat /proc/interrupts")
    m = re.search(r"^\s*(\d+):((?:\s+\d+)+)\s+SiFive PLIC\s+2\s+\w+\s+virtio0$", interrupts,
                  re.M)
    assert m, interrupts
    return m.group(1), [int(n) for n in m.group(2).split()]


def test_device_interrupt_follows_its_affinity_to_another_vcpu(shell):
    boot_linux(shell, "cpus=2")
    for cpu in (1, 0):
        irq, _ = virtio_rng_line(shell)
        guest(shell, f"echo {1 << cpu} > /proc/irq/{irq}/smp_affinity")
        _, before = virtio_rng_line(shell)
        random = guest(shell, "head -c 256 /dev/hwrng | od -An -tx1").split()
        assert len(random) == 256, random
        _, after = virtio_rng_line(shell)
        assert after[cpu] > before[cpu], (cpu, before, after)
        assert after[1 - cpu] == before[1 - cpu], (cpu, before, after)
    power_off(shell)
    assert shell.run("echo shell ok") == "shell ok"


@pytest.mark.parametrize("args", ["ipi.elf cpus=2", "ipi.elf cpus=4", "ipi.elf cpus=8",
                                  "hsm-suspend.elf cpus=2", "hsm-suspend.elf cpus=8",
                                  "rfence.elf cpus=2"])
def test_sbi_across_vcpus(shell, args):
    before = warm_pages(shell)
    out, end = run_guest(shell, f"/boot/guest/{args}")
    assert_all_passed(out, end)
    cpus = int(args.split("cpus=")[1])
    if args.startswith("ipi"):
        assert f"booted on hart 0 of {cpus}" in out, out
        assert re.search(r"ipi: round trip \d+ ticks", out), out
    assert shell.run("echo shell ok") == "shell ok"
    assert free_pages(shell) == before


def test_bad_cpu_counts_are_refused(shell):
    before = warm_pages(shell)
    for bad in ("0", "9", "100", "-1", "two", ""):
        assert shell.run(f"linux cpus={bad}") == "vm: cpus= takes 1 to 8"
        assert shell.run(f"vm run /boot/guest/hello.elf cpus={bad}") == \
            "vm: cpus= takes 1 to 8"
    assert shell.run("vm list").count("\n") <= 1, "no VM was made"
    assert shell.run("echo shell ok") == "shell ok"
    assert free_pages(shell) == before


BUSY = "busy() { i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; }"


def guest_seconds(shell, command):
    """Seconds of the guest's clock that command took at its prompt."""
    out = guest(shell, f"a=$(cut -d' ' -f1 /proc/uptime); {command}; "
                       "b=$(cut -d' ' -f1 /proc/uptime); echo took $a $b")
    a, b = re.search(r"took ([\d.]+) ([\d.]+)", out).groups()
    return float(b) - float(a)


@pytest.mark.parametrize("cpus", [2, 4])
def test_vcpus_run_side_by_side_on_two_harts(boot, cpus):
    """On two host harts, a busy loop per vCPU, all at once, takes about half as long as the
    same loops one after the other: each hart runs a lane of the vCPUs. Loosely, and the
    best of three tries: the host's cores are shared with other work."""
    shell = boot(kernel=TEST_KERNEL, initrd=TEST_BOOTFS, smp=2)
    shell.prompt(timeout=120)
    before = warm_pages(shell)
    boot_linux(shell, f"cpus={cpus}")
    assert guest(shell, "nproc").strip() == str(cpus)
    ratios = []
    for _ in range(3):
        series = guest_seconds(shell, f"{BUSY}; " + "; ".join(["busy"] * cpus))
        parallel = guest_seconds(shell, f"{BUSY}; " + " & ".join(["busy"] * cpus) + " & wait")
        ratios.append(parallel / series)
    assert min(ratios) < 0.75, ratios
    power_off(shell)
    assert shell.run("echo shell ok") == "shell ok"
    assert free_pages(shell) == before
