"""Issue: an unmodified Linux guest boots from Vireo's shell to a busybox prompt."""
import re
import time

import pytest

GUEST_PROMPT = "vireo:/# "
BOOT_TIMEOUT = 120


def boot_linux(shell, args=""):
    shell.send(f"linux {args}".rstrip() + "\r")
    shell.expect(r"Linux version 6\.1\.\d+", timeout=BOOT_TIMEOUT)
    shell.expect(GUEST_PROMPT, timeout=BOOT_TIMEOUT)


def guest(shell, command, timeout=30):
    """Runs a command at the busybox prompt and returns its output."""
    shell.send(command + "\r")
    shell.expect(GUEST_PROMPT, timeout=timeout)
    out = shell.child.before.replace("\r", "")
    return out.split("\n", 1)[1] if "\n" in out else ""


def power_off(shell):
    shell.send("poweroff\r")
    shell.expect(r"\[vm \d+ \(Image\): powered off, reason 0\]", timeout=60)
    shell.prompt()


def host_extensions(shell):
    """The extensions of the host hart, from Vireo's boot report."""
    isa = re.search(r"^isa: rv64([a-z]+)(\S*)", shell.output(), re.M)
    return set(isa.group(1)) | set(isa.group(2).split("_")[1:])


def check_cpu_node(shell):
    """The guest's cpu node follows the current bindings and claims nothing the host lacks,
    nor H, V or anything else Vireo does not virtualize."""
    node = "/proc/device-tree/cpus/cpu@0/"
    assert guest(shell, f"cat {node}riscv,isa-base") == "rv64i\x00"
    extensions = guest(shell, f"cat {node}riscv,isa-extensions").split("\x00")[:-1]
    isa = guest(shell, f"cat {node}riscv,isa").rstrip("\x00")
    letters = [e for e in extensions if len(e) == 1]
    assert isa == "_".join(["rv64" + "".join(letters)] + [e for e in extensions if len(e) > 1])
    assert {"i", "m", "a", "c", "zicsr", "zifencei"} <= set(extensions), extensions
    assert set(extensions) <= host_extensions(shell), (extensions, host_extensions(shell))
    assert not {"h", "v", "svpbmt", "svadu", "sscofpmf", "smstateen", "zawrs"} & \
        set(extensions), extensions
    assert re.fullmatch(r"riscv,sv(39|48|57)\x00", guest(shell, f"cat {node}mmu-type"))
    assert "deprecated" not in guest(shell, "dmesg")


def test_boots_to_busybox_and_commands_behave(shell):
    boot_linux(shell)
    assert re.match(r"Linux vireo 6\.1\.\d+ .* riscv64", guest(shell, "uname -a"))
    cpuinfo = guest(shell, "cat /proc/cpuinfo")
    assert re.search(r"isa\s*: rv64imafdc\S*_sstc", cpuinfo), cpuinfo
    interrupts = guest(shell, "cat /proc/interrupts")
    assert re.search(r"^\s*5:\s+\d+\s+RISC-V INTC\s+5\s+Edge\s+riscv-timer", interrupts, re.M)
    # The monitor's virtio-rng (servers/vmm/virtio_rng.c) on PLIC source 2; Linux's hwrng
    # core has read from it by the time the prompt shows.
    assert re.search(r"^\s*\d+:\s+[1-9]\d*\s+SiFive PLIC\s+2\s+\w+\s+virtio0$", interrupts,
                     re.M), interrupts
    check_cpu_node(shell)
    assert guest(shell, "cat /sys/class/misc/hw_random/rng_current").strip() == "virtio_rng.0"
    random = guest(shell, "head -c 32 /dev/hwrng | od -An -tx1").split()
    assert len(random) == 32 and all(re.fullmatch(r"[0-9a-f]{2}", b) for b in random), random
    assert set(random) != {"00"}, random
    assert re.search(r"\d{2}:\d{2}:\d{2}", guest(shell, "date"))
    assert "Linux version" in guest(shell, "dmesg")
    assert re.search(r"Mem:\s+\d+", guest(shell, "free"))
    start = guest(shell, "cat /proc/uptime")
    guest(shell, "sleep 2")
    end = guest(shell, "cat /proc/uptime")
    elapsed = float(end.split()[0]) - float(start.split()[0])
    assert 2.0 <= elapsed < 3.0, (start, end)
    shell.send("top -n 1\r")
    shell.expect(r"PID\s+PPID\s+USER")
    shell.expect(GUEST_PROMPT)
    power_off(shell)
    assert shell.run("echo back in vireo") == "back in vireo"


def test_detach_and_attach_while_linux_runs(shell):
    boot_linux(shell, "ram=128")
    shell.send("\x1d")
    shell.expect(r"\[detached from vm (\d+);")
    vm = shell.child.match.group(1)
    shell.prompt()
    assert re.search(rf"^\s+{vm}\s+Image\s+1\s+128 MiB running$", shell.run("vm list"), re.M)
    # Guest RAM is zeroed and mapped 2 MiB at a time on first touch: a booted Linux has
    # touched only part of its 64 chunks.
    touched = int(re.search(r"guest RAM first touch\s+(\d+)", shell.run("hvstat")).group(1))
    assert 0 < touched < 48, touched
    shell.send(f"vm attach {vm}\r")
    shell.send("echo attached again\r")
    shell.expect(r"\nattached again\r*\n")
    shell.expect(GUEST_PROMPT)
    power_off(shell)


def test_perf_counters_come_from_the_sbi_pmu(shell):
    """Linux's perf driver finds Vireo's SBI PMU (hv/sbi_pmu.c): 2 hardware counters (cycle,
    instret) and 16 firmware ones, not the legacy fallback it takes when the extension is
    missing; busybox has no perf, so the counters' own behaviour is the sbi-pmu guest's."""
    boot_linux(shell)
    dmesg = guest(shell, "dmesg")
    assert "riscv-pmu-sbi: SBI PMU extension is available" in dmesg, dmesg
    assert "riscv-pmu-sbi: 16 firmware and 2 hardware counters" in dmesg, dmesg
    assert "Legacy PMU implementation is available" not in dmesg, dmesg
    # The driver registers its PMU as "cpu", of type PERF_TYPE_RAW (4).
    assert guest(shell, "cat /sys/bus/event_source/devices/cpu/type").strip() == "4"
    shell.send("\x1d")
    shell.expect(r"\[detached from vm (\d+);")
    vm = shell.child.match.group(1)
    shell.prompt()
    # Linux asked for every counter's info and stopped them all as its CPU came up.
    calls = int(re.search(r"sbi pmu\s+(\d+)", shell.run("hvstat")).group(1))
    assert calls >= 20, calls
    shell.send(f"vm attach {vm}\r")
    shell.send("echo attached again\r")
    shell.expect(r"\nattached again\r*\n")
    shell.expect(GUEST_PROMPT)
    power_off(shell)


def test_reboot_boots_again(shell):
    boot_linux(shell)
    shell.send("reboot\r")
    shell.expect(r"rebooting\]", timeout=60)
    shell.expect(GUEST_PROMPT, timeout=BOOT_TIMEOUT)
    power_off(shell)


def test_guest_panic_returns_with_the_reason(shell):
    boot_linux(shell, "panic=-1")
    shell.send("echo c > /proc/sysrq-trigger\r")
    shell.expect(r"Kernel panic - not syncing: [^\r\n]+", timeout=60)
    shell.expect(r"\[vm \d+ \(Image\): (rebooting|powered off)[^\]]*\]", timeout=60)


def test_kill_stops_a_hung_guest(shell):
    boot_linux(shell)
    shell.send("\x1d")
    shell.expect(r"\[detached from vm (\d+);")
    vm = shell.child.match.group(1)
    shell.prompt()
    assert shell.run(f"vm kill {vm}") == f"killed vm {vm}"
    assert "Image" not in shell.run("vm list")


def test_boots_without_sstc(boot):
    from conftest import TEST_BOOTFS
    m = boot(initrd=TEST_BOOTFS, cpu="rv64,h=true,sstc=false")
    m.prompt(timeout=30)
    boot_linux(m)
    cpuinfo = guest(m, "cat /proc/cpuinfo")
    assert "sstc" not in cpuinfo
    start = guest(m, "cat /proc/uptime")
    guest(m, "sleep 2")
    end = guest(m, "cat /proc/uptime")
    assert 2.0 <= float(end.split()[0]) - float(start.split()[0]) < 3.0
    power_off(m)


def test_bad_guest_images_are_refused(shell):
    out = shell.run("linux image=/boot/etc/version")
    assert out == "vm: not a Linux Image: no RISC-V boot image header", out
    assert shell.run("linux ram=0") == "vm: ram= takes MiB from 4 to 2048"
    out = shell.run("linux ram=2048")
    assert out == "vm: not enough memory for guest RAM: over the memory quota", out
    out = shell.run("linux initrd=/boot/etc/version")
    assert out == "vm: /boot/etc/version: not a cpio archive (plain or gzip)", out
    assert shell.run("echo still fine") == "still fine"


def test_twenty_boot_poweroff_cycles_return_every_page(shell):
    """Twenty here; `make soak` runs a hundred (the issue asks that the fiftieth boots)."""
    from conftest import free_pages, soak
    boot_linux(shell, "quiet")
    power_off(shell)
    before = free_pages(shell)
    for _ in range(soak(20)):
        boot_linux(shell, "quiet")
        power_off(shell)
    assert free_pages(shell) == before
