#!/usr/bin/python3
"""`make bench`: Vireo's speed and size figures, measured in one run. Prints one line per
figure as `name value unit` and writes the same figures to build/bench.json."""
import json
import os
import statistics
import subprocess
import sys
import time

import pexpect

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
BUILD = os.path.join(ROOT, "build")
KERNEL = os.path.join(BUILD, "vireo.elf")
RUNS = 5


def boot_times():
    """Wall-clock seconds from starting QEMU to each marker on the console."""
    markers = [("banner", r"Vireo \d+\.\d+\.\d+ "), ("boot_report", r"boot: done ")]
    start = time.monotonic()
    child = pexpect.spawn(os.path.join(ROOT, "tools", "qemu.sh"), encoding="utf-8",
                          codec_errors="replace", timeout=60)
    times = {}
    try:
        for name, pattern in markers:
            child.expect(pattern)
            times[name] = time.monotonic() - start
    finally:
        child.terminate(force=True)
    return times


def loaded_image_bytes(elf):
    """Bytes the kernel occupies in memory: the span of its loadable segments."""
    out = subprocess.run(["riscv64-linux-gnu-readelf", "-lW", elf], check=True,
                         capture_output=True, text=True).stdout
    spans = [(int(f[3], 16), int(f[3], 16) + int(f[5], 16))
             for f in (line.split() for line in out.splitlines()) if f and f[0] == "LOAD"]
    return max(e for _, e in spans) - min(s for s, _ in spans)


def main():
    runs = [boot_times() for _ in range(RUNS)]
    figures = [
        ("qemu_start_to_banner_median", statistics.median(r["banner"] for r in runs) * 1000, "ms"),
        ("qemu_start_to_boot_report_end_median",
         statistics.median(r["boot_report"] for r in runs) * 1000, "ms"),
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
