#!/usr/bin/python3
"""`make bench`: Vireo's speed and size figures, measured in one run. Prints one line per
figure as `name value unit` and writes the same figures to build/bench.json."""
import json
import os
import re
import statistics
import subprocess
import sys
import time

import pexpect

import bench_net

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
BUILD = os.path.join(ROOT, "build")
KERNEL = os.path.join(BUILD, "vireo.elf")
TEST_BOOTFS = os.path.join(BUILD, "test", "bootfs.cpio")
QEMU_SH = os.path.join(ROOT, "tools", "qemu.sh")
PROMPT = "vireo> "
RUNS = 5
# Linux boots vary by a quarter from run to run on a shared host: more pairs steady the median.
LINUX_PAIRS = 15


def spawn(args=()):
    child = pexpect.spawn(QEMU_SH, list(args), encoding="utf-8", codec_errors="replace",
                          timeout=120)
    # pexpect sleeps 50 ms before each send by default, which timed boots would count.
    child.delaybeforesend = None
    return child


def shell_command(child, command):
    child.send(command + "\r")
    child.expect(PROMPT)
    return child.before


def boot_times():
    """Wall-clock seconds from starting QEMU to each marker on the console, and the pages in
    use once the shell is up."""
    markers = [("banner", r"Vireo \d+\.\d+\.\d+ "), ("boot_report", r"boot: done "),
               ("prompt", PROMPT)]
    start = time.monotonic()
    child = spawn()
    times = {}
    try:
        for name, pattern in markers:
            child.expect(pattern)
            times[name] = time.monotonic() - start
        mem = shell_command(child, "mem")
        total, free = (int(re.search(rf"(\d+) {w}", mem).group(1)) for w in ("total", "free"))
        times["resident_pages"] = total - free
    finally:
        child.terminate(force=True)
    return times


def ipc_round_trip(icount):
    """Instructions and ticks per IPC call/reply, from the ipc-bench test program. With
    -icount, rdinstret counts instructions; without it QEMU derives it from host time, so
    instructions come from an -icount run and ticks from a plain one."""
    child = spawn(["--initrd", TEST_BOOTFS] + (["--", "-icount", "shift=0"] if icount else []))
    try:
        child.expect(PROMPT)
        out = shell_command(child, "run /boot/test/ipc-bench")
        console = shell_command(child, "run /boot/test/conspeed")
    finally:
        child.terminate(force=True)
    m = re.search(r"ipc: \d+ round trips, (\d+) instructions and (\d+) ticks each", out)
    c = re.search(r"console (\d+) us/line, kernel log (\d+) us/line", console)
    if not m or not c:
        raise SystemExit(f"ipc-bench or conspeed printed no result:\n{out}\n{console}")
    return int(m.group(1)), int(m.group(2)), int(c.group(1)), int(c.group(2))


def loaded_image_bytes(elf):
    """Bytes the kernel occupies in memory: the span of its loadable segments."""
    out = subprocess.run(["riscv64-linux-gnu-readelf", "-lW", elf], check=True,
                         capture_output=True, text=True).stdout
    spans = [(int(f[3], 16), int(f[3], 16) + int(f[5], 16))
             for f in (line.split() for line in out.splitlines()) if f and f[0] == "LOAD"]
    return max(e for _, e in spans) - min(s for s, _ in spans)


def at_test_prompts(run):
    """run(child, icount) at Vireo's prompt with the test bootfs, first under -icount (where a
    guest's counts are instructions), then plainly (where they are ticks)."""
    for icount in (True, False):
        child = spawn(["--initrd", TEST_BOOTFS] + (["--", "-icount", "shift=0"] if icount else []))
        try:
            child.expect(PROMPT)
            run(child, icount)
        finally:
            child.terminate(force=True)


def guest_figures():
    """The hypervisor's figures from the bench guests: the SBI null call (instructions from
    an -icount run, ticks from a plain one), timer latency, and the exits an idle guest
    causes per second (from hvstat, two seconds apart)."""
    figures = {}

    def run(child, icount):
        out = shell_command(child, "vm run /boot/guest/sbi-bench.elf")
        m = re.search(r"sbi-bench: \d+ calls, (\d+) instructions and (\d+) ticks each", out)
        if not m:
            raise SystemExit(f"sbi-bench printed no result:\n{out}")
        if icount:
            figures["sbi_null_call_instructions"] = (int(m.group(1)), "instructions")
            return
        figures["sbi_null_call_ticks"] = (int(m.group(2)), "ticks")
        out = shell_command(child, "vm run /boot/guest/timer.elf")
        for name, label in (("sbi", "SBI set_timer"), ("sstc", "Sstc stimecmp")):
            m = re.search(rf"{label}: within 20 ms, latency (\d+) ticks", out)
            if m:
                figures[f"timer_latency_{name}_ticks"] = (int(m.group(1)), "ticks")
        child.send("vm run /boot/guest/idle.elf\r")
        child.expect("idle: waiting in wfi")
        child.send("\x1d")
        child.expect(PROMPT)
        exits = []
        for _ in range(2):
            stats = shell_command(child, "hvstat")
            exits.append(int(re.search(r"\(idle.elf\): .* (\d+) exits", stats).group(1)))
            time.sleep(2)
        figures["idle_guest_exits_per_second"] = ((exits[1] - exits[0]) / 2, "exits/s")

    at_test_prompts(run)
    return figures


LINUX_PROMPT = "vireo:/# "
LINUX = os.path.join(BUILD, "linux")
LINUX_RAM = "256M"  # what `linux` gives its guest by default: both boots set up as much RAM


def linux_native_boot(extra_args, cpus=1):
    """Seconds from starting QEMU to the busybox prompt, Linux booted by QEMU itself (its
    firmware and QEMU's own start included) on cpus harts."""
    start = time.monotonic()
    child = spawn([
        "--kernel", os.path.join(LINUX, "Image"), "--mem", LINUX_RAM,
        "--initrd", os.path.join(LINUX, "initramfs.cpio.gz"),
        "--append", f"console=hvc0 earlycon=sbi {extra_args}".strip(), "--smp", str(cpus)])
    try:
        child.expect(LINUX_PROMPT)
        return time.monotonic() - start
    finally:
        child.terminate(force=True)


def linux_vireo_boot(extra_args, harts=1):
    """Seconds from typing `linux` at Vireo's prompt to the busybox prompt, and the VM's
    exits by cause from hvstat once it is up; Vireo on that many harts."""
    child = spawn(["--smp", str(harts)])
    try:
        child.expect(PROMPT)
        start = time.monotonic()
        child.send(f"linux {extra_args}".strip() + "\r")
        child.expect(LINUX_PROMPT)
        elapsed = time.monotonic() - start
        child.send("\x1d")
        child.expect(PROMPT)
        stats = shell_command(child, "hvstat")
    finally:
        child.terminate(force=True)
    return elapsed, stats


def linux_figures():
    figures = {}
    for name, args in (("verbose", ""), ("quiet", "quiet")):
        # In pairs, one boot of each back to back (which goes first alternates): the host's
        # speed drifts by a quarter between spells here, and a pair shares its spell.
        native_runs, vireo_runs = [], []
        for i in range(LINUX_PAIRS):
            if i % 2:
                vireo_runs.append(linux_vireo_boot(args))
                native_runs.append(linux_native_boot(args))
            else:
                native_runs.append(linux_native_boot(args))
                vireo_runs.append(linux_vireo_boot(args))
        native = statistics.median(native_runs)
        vireo = statistics.median(t for t, _ in vireo_runs)
        figures[f"linux_boot_native_{name}_median"] = (native * 1000, "ms")
        figures[f"linux_boot_vireo_{name}_median"] = (vireo * 1000, "ms")
        figures[f"linux_boot_ratio_{name}"] = (vireo / native, "x")
        pairs = [v / n for n, (v, _) in zip(native_runs, vireo_runs)]
        quartiles = statistics.quantiles(pairs, n=4)
        figures[f"linux_boot_ratio_{name}_median_of_pairs"] = (statistics.median(pairs), "x")
        figures[f"linux_boot_ratio_{name}_pairs_first_quartile"] = (quartiles[0], "x")
        figures[f"linux_boot_ratio_{name}_pairs_third_quartile"] = (quartiles[2], "x")
        if name == "verbose":
            stats = vireo_runs[0][1]
            for cause, count in re.findall(r"^  ([a-z][A-Za-z ():]*?)\s+(\d+)\r*$", stats, re.M):
                figures["linux_boot_exits_" + cause.strip().lower().replace(" ", "_").replace(
                    "(", "").replace(")", "").replace(":", "")] = (int(count), "exits")
    return figures


SMP_PAIRS = 7


# Two busy loops at once in the guest's shell, each of BUSY_LOOPS rounds.
BUSY_LOOPS = 60000
BUSY = ("busy() { i=0; while [ $i -lt %d ]; do i=$((i+1)); done; }; busy & busy & wait"
        % BUSY_LOOPS)


def smp_speedup():
    """Seconds (the guest's clock) for two busy loops at once in `linux cpus=1` and then in
    `linux cpus=2`, both on Vireo with two harts: the second runs its vCPUs side by side."""
    child = spawn(["--smp", "2"])
    try:
        child.expect(PROMPT)
        seconds = []
        for cpus in (1, 2):
            child.send(f"linux cpus={cpus} quiet\r")
            child.expect(LINUX_PROMPT)
            seconds.append(min(guest_seconds(child, BUSY) for _ in range(3)))
            child.send("poweroff\r")
            child.expect(PROMPT)
        return seconds
    finally:
        child.terminate(force=True)


def smp_figures():
    """SMP guests on two host harts: the boot of `linux cpus=2` against the same Linux on
    QEMU's -smp 2, in back-to-back pairs as linux_figures does; the speed-up of two busy
    loops from one vCPU to two; and the IPI round trip between two vCPUs (guest/tests/ipi.c)
    on one hart in ticks and, under -icount, in the instructions retired for it (both vCPUs'
    and the hypervisor's), and on two harts in ticks."""
    native_runs, vireo_runs = [], []
    for i in range(SMP_PAIRS):
        if i % 2:
            vireo_runs.append(linux_vireo_boot("cpus=2", harts=2)[0])
            native_runs.append(linux_native_boot("", cpus=2))
        else:
            native_runs.append(linux_native_boot("", cpus=2))
            vireo_runs.append(linux_vireo_boot("cpus=2", harts=2)[0])
    native, vireo = statistics.median(native_runs), statistics.median(vireo_runs)
    figures = {
        "smp2_linux_boot_native_median": (native * 1000, "ms"),
        "smp2_linux_boot_vireo_median": (vireo * 1000, "ms"),
        "smp2_linux_boot_ratio": (vireo / native, "x"),
        "smp2_linux_boot_ratio_median_of_pairs": (
            statistics.median(v / n for n, v in zip(native_runs, vireo_runs)), "x"),
    }
    one, two = smp_speedup()
    figures["smp_busy_loops_1_vcpu"] = (one * 1000, "ms")
    figures["smp_busy_loops_2_vcpus"] = (two * 1000, "ms")
    figures["smp_speedup_1_to_2_vcpus"] = (one / two, "x")

    def run(child, icount):
        out = shell_command(child, "vm run /boot/guest/ipi.elf cpus=2")
        m = re.search(r"ipi: round trip (\d+) ticks, (\d+) instructions", out)
        if not m:
            raise SystemExit(f"the ipi guest printed no round trip:\n{out}")
        if icount:
            figures["smp_ipi_round_trip_instructions"] = (int(m.group(2)), "instructions")
        else:
            figures["smp_ipi_round_trip_ticks"] = (int(m.group(1)), "ticks")

    at_test_prompts(run)
    # Between vCPUs on two harts (lanes 0 and 1), in ticks only: under -icount QEMU runs the
    # harts in turn on one thread, and the ipi guest did not finish there.
    child = spawn(["--initrd", TEST_BOOTFS, "--smp", "2"])
    try:
        child.expect(PROMPT)
        out = shell_command(child, "vm run /boot/guest/ipi.elf cpus=2")
        m = re.search(r"ipi: round trip (\d+) ticks", out)
        if not m:
            raise SystemExit(f"the ipi guest printed no round trip:\n{out}")
        figures["smp_ipi_round_trip_ticks_two_harts"] = (int(m.group(1)), "ticks")
    finally:
        child.terminate(force=True)
    return figures


DISK_MIB = 64
DISK_PAIRS = 3
# Each figure times DISK_REPEATS passes over the 64 MiB as one: a native pass may take
# 40 ms, four ticks of the guest's clock, too coarse a measure by itself.
DISK_REPEATS = 4


def guest_seconds(child, command):
    """Seconds of the Linux guest's clock (/proc/uptime) that command took at its prompt."""
    child.send(f"a=$(cut -d' ' -f1 /proc/uptime); {command}; "
               "b=$(cut -d' ' -f1 /proc/uptime); echo took $a $b\r")
    # To the line's end: a number still arriving must not be read as a shorter one.
    took = child.expect(r"took ([\d.]+) ([\d.]+)\r*\n", timeout=300) or child.match
    child.expect(LINUX_PROMPT)
    return max(float(took.group(2)) - float(took.group(1)), 0.01)


DISK_MOVED_MIB = DISK_MIB * DISK_REPEATS
DISK_WRITE = (f"for i in {' '.join(['x'] * DISK_REPEATS)}; do dd if=/dev/zero of=/dev/vda "
              f"bs=1M count={DISK_MIB} oflag=direct 2>/dev/null; done")
DISK_READ = (f"for i in {' '.join(['x'] * DISK_REPEATS)}; do dd if=/dev/vda of=/dev/null "
             f"bs=1M count={DISK_MIB} iflag=direct 2>/dev/null; done")


def disk_native(image):
    """Seconds for DISK_REPEATS direct-I/O writes, then reads, of DISK_MIB on /dev/vda, Linux
    booted by QEMU itself with the same virtio-blk disk (tools/qemu.sh --disk) and RAM."""
    child = spawn(["--kernel", os.path.join(LINUX, "Image"), "--mem", LINUX_RAM,
                   "--initrd", os.path.join(LINUX, "initramfs.cpio.gz"), "--disk", image,
                   "--append", "console=hvc0 quiet"])
    try:
        child.expect(LINUX_PROMPT)
        return guest_seconds(child, DISK_WRITE), guest_seconds(child, DISK_READ)
    finally:
        child.terminate(force=True)


def vm_counts(child):
    """From hvstat at Vireo's prompt: the Linux VM's exits, and its virtio-blk interrupts,
    requests and notifications (the guest's kicks)."""
    stats = shell_command(child, "hvstat")
    exits = int(re.search(r"^vm \d+ \(Image\): .*?, (\d+) exits", stats, re.M).group(1))
    blk = re.search(r"virtio-blk: (\d+) requests, \d+ bytes, (\d+) notifications, "
                    r"(\d+) interrupts", stats)
    return exits, int(blk.group(3)), int(blk.group(1)), int(blk.group(2))


def attach(child):
    """Back to the Linux guest (VM 1) from Vireo's prompt, at a fresh busybox prompt."""
    child.send("vm attach 1\r")
    child.expect("vm attach 1")
    child.send("\r")
    child.expect(LINUX_PROMPT)


def disk_vireo(image):
    """As disk_native, under Vireo (`linux disk=`), with the exits and virtio-blk
    interrupts each transfer cost, from hvstat before and after it."""
    child = spawn(["--disk", image])
    try:
        child.expect(PROMPT)
        child.send(f"linux quiet disk=bench size={DISK_MIB + 16}\r")
        child.expect(LINUX_PROMPT)
        results = []
        for command in (DISK_WRITE, DISK_READ):
            child.send("\x1d")
            child.expect(PROMPT)
            before = vm_counts(child)
            attach(child)
            seconds = guest_seconds(child, command)
            child.send("\x1d")
            child.expect(PROMPT)
            after = vm_counts(child)
            attach(child)
            results.append((seconds, *(a - b for a, b in zip(after, before))))
        return results
    finally:
        child.terminate(force=True)


def disk_figures():
    """Guest sequential direct-I/O throughput on virtio-blk under Vireo against the same
    Linux booted natively by the same QEMU, as ratios of the medians of DISK_PAIRS pairs
    (back to back, alternating which goes first), and what each MiB cost in exits and
    interrupts under Vireo."""
    native, vireo = [], []
    image = os.path.join(BUILD, "bench-disk.img")
    try:
        for i in range(DISK_PAIRS):
            for run in ((disk_vireo, vireo), (disk_native, native))[::-1 if i % 2 else 1]:
                with open(image, "wb") as f:  # a fresh sparse image each boot
                    f.truncate((DISK_MIB + 32) << 20)
                run[1].append(run[0](image))
    finally:
        if os.path.exists(image):
            os.remove(image)
    figures = {}
    for k, name in enumerate(("write", "read")):
        n = statistics.median(r[k] for r in native)
        v = statistics.median(r[k][0] for r in vireo)
        figures[f"disk_{name}_native_{DISK_MIB}MiB_direct"] = (DISK_MOVED_MIB / n, "MiB/s")
        figures[f"disk_{name}_vireo_{DISK_MIB}MiB_direct"] = (DISK_MOVED_MIB / v, "MiB/s")
        figures[f"disk_{name}_ratio"] = (n / v, "x")
        for i, what in enumerate(("exits", "interrupts", "requests", "notifications"), 1):
            figures[f"disk_{name}_{what}_per_MiB"] = (
                statistics.median(r[k][i] for r in vireo) / DISK_MOVED_MIB, what)
    return figures


EXEC_RUNS = 20
SHARE_MIB = 50
METADATA_FILES = 1000


def share_figures():
    """`linux exec true` from Vireo's prompt to its next prompt (median of EXEC_RUNS, in a
    running guest), and SHARE_MIB written (fsync'd) and read (caches dropped)
    on /mnt/share (virtio-fs) against the same on an ext2 /dev/vda in the same guest, as the
    ratio of their throughputs; and METADATA_FILES files made, stat'ed and unlinked on each,
    as the ratio of their rates."""
    image = os.path.join(BUILD, "bench-share.img")
    with open(image, "wb") as f:
        f.truncate(1024 << 20)  # the share takes a quarter of what the volume leaves
    child = spawn(["--disk", image])
    try:
        child.expect(PROMPT)
        child.send(f"linux quiet disk=bench size={SHARE_MIB * 2}\r")
        child.expect(LINUX_PROMPT)
        child.send("\x1d")
        child.expect(PROMPT)
        times = []
        for _ in range(EXEC_RUNS):
            start = time.monotonic()
            shell_command(child, "linux exec true")
            times.append(time.monotonic() - start)
        figures = {"linux_exec_true_median": (statistics.median(times) * 1000, "ms")}
        attach(child)
        child.send("mkfs.ext2 -q /dev/vda && mkdir -p /tmp/ext2 && mount /dev/vda /tmp/ext2\r")
        child.expect(LINUX_PROMPT, timeout=120)
        seconds = {}
        for fs, path in (("share", "/mnt/share/bench"), ("ext2", "/tmp/ext2/bench")):
            seconds[fs] = (
                guest_seconds(child, f"dd if=/dev/zero of={path} bs=1M count={SHARE_MIB} "
                                     "conv=fsync 2>/dev/null"),
                guest_seconds(child, f"echo 3 > /proc/sys/vm/drop_caches; "
                                     f"dd if={path} of=/dev/null bs=1M 2>/dev/null"))
        for k, name in enumerate(("write", "read")):
            for fs in seconds:
                figures[f"{fs}_{name}_{SHARE_MIB}MiB"] = (SHARE_MIB / seconds[fs][k], "MiB/s")
            figures[f"share_{name}_throughput_vs_ext2"] = (
                seconds["ext2"][k] / seconds["share"][k], "x")
        metadata = {fs: guest_seconds(child, f"cd {os.path.dirname(path)} && for i in "
                                             f"$(seq {METADATA_FILES}); do touch m$i; "
                                             "stat m$i >/dev/null; rm m$i; done; cd /")
                    for fs, path in (("share", "/mnt/share/bench"), ("ext2", "/tmp/ext2/bench"))}
        for fs in metadata:
            figures[f"{fs}_create_stat_unlink_per_second"] = (
                METADATA_FILES / metadata[fs], "files/s")
        figures["share_metadata_rate_vs_ext2"] = (metadata["ext2"] / metadata["share"], "x")
        return figures
    finally:
        child.terminate(force=True)
        os.remove(image)


CONSOLE_BYTES = 100 * 1024
CONSOLE_RUNS = 3


def linux_console_throughput(console):
    """Bytes per second of guest time (its /proc/uptime) for `cat` of a 100 KiB text file to
    the Linux guest's console, the median of a few runs in one boot."""
    child = spawn()
    try:
        child.expect(PROMPT)
        child.send(f"linux quiet console={console}\r")
        child.expect(LINUX_PROMPT)
        line = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_"
        child.send(f"yes {line} | head -c {CONSOLE_BYTES} > /tmp/f\r")
        child.expect(LINUX_PROMPT)
        rates = []
        for _ in range(CONSOLE_RUNS):
            child.send("a=$(cut -d' ' -f1 /proc/uptime); cat /tmp/f; "
                       "b=$(cut -d' ' -f1 /proc/uptime); echo took $a $b\r")
            child.expect(r"took ([\d.]+) ([\d.]+)\r*\n")
            rates.append(CONSOLE_BYTES / max(float(child.match.group(2)) -
                                             float(child.match.group(1)), 0.01))
            child.expect(LINUX_PROMPT)
        return statistics.median(rates)
    finally:
        child.terminate(force=True)
def gdb_prompt_seconds():
    """Seconds from typing `make gdb` to GDB's first prompt with every symbol file loaded
    (the kernel's, the programs', Linux's when built), median of RUNS; the goal is under 5 s
    with the Linux guest built."""
    times = []
    for _ in range(RUNS):
        start = time.monotonic()
        child = pexpect.spawn("make", ["--no-print-directory", "gdb"], cwd=ROOT,
                              encoding="utf-8", codec_errors="replace", timeout=120)
        try:
            child.expect(r"vireo: symbols of the kernel, .* loaded in")
            child.expect(r"\(gdb\) ")
            times.append(time.monotonic() - start)
            child.sendline("quit")
            child.expect(pexpect.EOF, timeout=30)
        finally:
            child.terminate(force=True)
    return statistics.median(times)


def core_figures():
    runs = [boot_times() for _ in range(RUNS)]
    ipc_instructions, _, _, _ = ipc_round_trip(icount=True)
    _, ipc_ticks, console_us, sbi_console_us = ipc_round_trip(icount=False)
    return {
        "qemu_start_to_banner_median": (statistics.median(r["banner"] for r in runs) * 1000, "ms"),
        "qemu_start_to_boot_report_end_median":
            (statistics.median(r["boot_report"] for r in runs) * 1000, "ms"),
        "qemu_start_to_shell_prompt_median":
            (statistics.median(r["prompt"] for r in runs) * 1000, "ms"),
        "resident_pages_after_boot": (runs[0]["resident_pages"], "pages"),
        "ipc_round_trip_instructions": (ipc_instructions, "instructions"),
        "ipc_round_trip_ticks": (ipc_ticks, "ticks"),
        "console_line_via_uart_driver": (console_us, "us"),
        "console_line_via_kernel_sbi": (sbi_console_us, "us"),
    }


def console_figures():
    return {f"linux_console_{console}_cat_100KiB": (linux_console_throughput(console), "bytes/s")
            for console in ("ttyS0", "hvc0")}


def tool_figures():
    gdb = "make_gdb_to_prompt_median" + ("_with_linux" if os.path.exists(
        os.path.join(BUILD, "linux", "vmlinux")) else "")
    return {
        gdb: (gdb_prompt_seconds() * 1000, "ms"),
        "kernel_image_loaded_bytes": (loaded_image_bytes(KERNEL), "bytes"),
        "kernel_elf_file_bytes": (os.path.getsize(KERNEL), "bytes"),
    }


# `make bench` runs every section; `tools/bench.py disk net` (or `make bench BENCH="disk"`)
# only those, for working on one path.
SECTIONS = {
    "core": core_figures,
    "guest": guest_figures,
    "linux": linux_figures,
    "smp": smp_figures,
    "disk": disk_figures,
    "net": lambda: bench_net.net_figures(spawn, shell_command, PROMPT, LINUX, LINUX_RAM),
    "share": share_figures,
    "console": console_figures,
    "tools": tool_figures,
}


def main(argv):
    unknown = [name for name in argv if name not in SECTIONS]
    if unknown:
        print(f"bench: no section {', '.join(unknown)}; sections: {' '.join(SECTIONS)}",
              file=sys.stderr)
        return 2
    figures = [(name, value, unit) for section in (argv or SECTIONS)
               for name, (value, unit) in SECTIONS[section]().items()]
    for name, value, unit in figures:
        print(f"{name} {value:.2f} {unit}" if unit == "x" else
              f"{name} {value:.1f} {unit}" if isinstance(value, float) else
              f"{name} {value} {unit}")
    # A partial run updates its own figures in bench.json and keeps the rest.
    path = os.path.join(BUILD, "bench.json")
    kept = {}
    if argv and os.path.exists(path):
        with open(path) as f:
            kept = json.load(f)
    kept.update({name: {"value": round(value, 3), "unit": unit} for name, value, unit in figures})
    with open(path, "w") as f:
        json.dump(kept, f, indent=2)
        f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
