#!/usr/bin/python3
"""Smoke test of the Linux guest without Vireo: boots OUTDIR/Image and
OUTDIR/initramfs.cpio.gz (from build.sh) directly on QEMU's virt machine with its OpenSBI,
waits for the busybox prompt, runs a few commands, checks that Ctrl-C reaches the shell's
foreground job, and powers off, checking that QEMU exits.

usage: qemu-smoke.py [--smp N] [--exit] [--log FILE] [OUTDIR]
  --exit  leave the shell with `exit` (the /init path) instead of `poweroff` (busybox init)
"""
import argparse
import sys
import time

import pexpect

PROMPT = r"vireo:[^\r\n]*# "


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("outdir", nargs="?", default="/tmp/linux-out")
    ap.add_argument("--smp", type=int, default=1)
    ap.add_argument("--exit", action="store_true")
    ap.add_argument("--log", default="-")
    args = ap.parse_args()

    cmd = ["qemu-system-riscv64", "-machine", "virt", "-cpu", "rv64,h=true", "-m", "256M",
           "-smp", str(args.smp), "-nographic", "-bios", "default",
           "-kernel", f"{args.outdir}/Image", "-initrd", f"{args.outdir}/initramfs.cpio.gz",
           "-append", "console=hvc0 earlycon=sbi"]
    log = sys.stdout if args.log == "-" else open(args.log, "w")
    t0 = time.monotonic()
    vm = pexpect.spawn(cmd[0], cmd[1:], encoding="utf-8", codec_errors="replace", timeout=120)
    vm.logfile_read = log
    vm.expect(PROMPT)
    boot = time.monotonic() - t0

    for c in ["uname -a", "cat /proc/cpuinfo", "cat /proc/cmdline",
              "dmesg | grep -iE 'sbi|plic|riscv|timer|clocksource|hvc|console|smp|cpu'"]:
        vm.sendline(c)
        vm.expect(PROMPT)

    # Ctrl-C must stop the foreground job (the shell has a controlling tty).
    vm.sendline("sleep 100")
    time.sleep(1)
    vm.sendcontrol("c")
    vm.expect(PROMPT, timeout=10)
    vm.sendline("echo status=$?")
    vm.expect(r"status=(\d+)")
    if vm.match.group(1) != "130":
        raise SystemExit(f"sleep ended with status {vm.match.group(1)}, not 130 (SIGINT)")
    vm.expect(PROMPT)

    t1 = time.monotonic()
    vm.sendline("exit" if args.exit else "poweroff")
    vm.expect(pexpect.EOF, timeout=30)
    vm.close()
    down = time.monotonic() - t1
    if vm.exitstatus != 0:
        raise SystemExit(f"QEMU exited with status {vm.exitstatus} signal {vm.signalstatus}")
    print(f"\nqemu-smoke: prompt after {boot:.2f}s, powered off {down:.2f}s after "
          f"'{'exit' if args.exit else 'poweroff'}', QEMU exit status 0")


if __name__ == "__main__":
    main()
