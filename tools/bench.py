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

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
BUILD = os.path.join(ROOT, "build")
KERNEL = os.path.join(BUILD, "vireo.elf")
TEST_BOOTFS = os.path.join(BUILD, "test", "bootfs.cpio")
QEMU_SH = os.path.join(ROOT, "tools", "qemu.sh")
PROMPT = "vireo> "
RUNS = 5


def spawn(args=()):
    return pexpect.spawn(QEMU_SH, list(args), encoding="utf-8", codec_errors="replace",
                         timeout=120)


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
    finally:
        child.terminate(force=True)
    m = re.search(r"ipc: \d+ round trips, (\d+) instructions and (\d+) ticks each", out)
    if not m:
        raise SystemExit(f"ipc-bench printed no result:\n{out}")
    return int(m.group(1)), int(m.group(2))


def loaded_image_bytes(elf):
    """Bytes the kernel occupies in memory: the span of its loadable segments."""
    out = subprocess.run(["riscv64-linux-gnu-readelf", "-lW", elf], check=True,
                         capture_output=True, text=True).stdout
    spans = [(int(f[3], 16), int(f[3], 16) + int(f[5], 16))
             for f in (line.split() for line in out.splitlines()) if f and f[0] == "LOAD"]
    return max(e for _, e in spans) - min(s for s, _ in spans)


def guest_figures():
    """The hypervisor's figures from the bench guests: the SBI null call (instructions from
    an -icount run, ticks from a plain one), timer latency, and the exits an idle guest
    causes per second (from hvstat, two seconds apart)."""
    figures = {}
    for icount in (True, False):
        child = spawn(["--initrd", TEST_BOOTFS] + (["--", "-icount", "shift=0"] if icount else []))
        try:
            child.expect(PROMPT)
            out = shell_command(child, "vm run /boot/guest/sbi-bench.elf")
            m = re.search(r"sbi-bench: \d+ calls, (\d+) instructions and (\d+) ticks each", out)
            if not m:
                raise SystemExit(f"sbi-bench printed no result:\n{out}")
            if icount:
                figures["sbi_null_call_instructions"] = (int(m.group(1)), "instructions")
                continue
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
        finally:
            child.terminate(force=True)
    return figures


def main():
    runs = [boot_times() for _ in range(RUNS)]
    ipc_instructions, _ = ipc_round_trip(icount=True)
    _, ipc_ticks = ipc_round_trip(icount=False)
    figures = [
        ("qemu_start_to_banner_median", statistics.median(r["banner"] for r in runs) * 1000, "ms"),
        ("qemu_start_to_boot_report_end_median",
         statistics.median(r["boot_report"] for r in runs) * 1000, "ms"),
        ("qemu_start_to_shell_prompt_median",
         statistics.median(r["prompt"] for r in runs) * 1000, "ms"),
        ("resident_pages_after_boot", runs[0]["resident_pages"], "pages"),
        ("ipc_round_trip_instructions", ipc_instructions, "instructions"),
        ("ipc_round_trip_ticks", ipc_ticks, "ticks"),
        *((name, value, unit) for name, (value, unit) in guest_figures().items()),
        ("kernel_image_loaded_bytes", loaded_image_bytes(KERNEL), "bytes"),
        ("kernel_elf_file_bytes", os.path.getsize(KERNEL), "bytes"),
    ]
    for name, value, unit in figures:
        print(f"{name} {value:.1f} {unit}" if isinstance(value, float) else
              f"{name} {value} {unit}")
    with open(os.path.join(BUILD, "bench.json"), "w") as f:
        json.dump({name: {"value": round(value, 3), "unit": unit}
                   for name, value, unit in figures}, f, indent=2)
        f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
