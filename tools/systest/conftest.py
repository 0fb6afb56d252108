"""The system-test harness: boots the real image in QEMU through tools/qemu.sh and talks to
its console with pexpect, as a person at the terminal would."""
import io
import os
import re
import subprocess

import pexpect
import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.path.join(ROOT, "build")
QEMU_SH = os.path.join(ROOT, "tools", "qemu.sh")
USER_KERNEL = os.path.join(BUILD, "vireo.elf")
TEST_KERNEL = os.path.join(BUILD, "test", "vireo.elf")
BOOTFS = os.path.join(BUILD, "bootfs.cpio")
TEST_BOOTFS = os.path.join(BUILD, "test", "bootfs.cpio")
PROMPT = "vireo> "


class Machine:
    """One QEMU run. expect() returns the match; exited() waits for QEMU to end."""

    def __init__(self, args, timeout):
        for path in (USER_KERNEL, TEST_KERNEL, BOOTFS, TEST_BOOTFS):
            if not os.path.exists(path):
                pytest.fail(f"{path} is missing: run the tests through `make test`")
        self.log = io.StringIO()
        self.child = pexpect.spawn(QEMU_SH, args, encoding="utf-8", codec_errors="replace",
                                   timeout=timeout, dimensions=(50, 200))
        # No 50 ms pause before each send (pexpect's default): typed-ahead input must work.
        self.child.delaybeforesend = None
        self.child.logfile_read = self.log

    def expect(self, pattern, timeout=-1):
        try:
            self.child.expect(pattern, timeout=timeout)
        except (pexpect.TIMEOUT, pexpect.EOF) as e:
            raise AssertionError(f"did not see {pattern!r}; console so far:\n"
                                 f"{self.output()}") from e
        return self.child.match

    def sendline(self, line):
        self.child.sendline(line)

    def send(self, text):
        self.child.send(text)

    def prompt(self, timeout=-1):
        """Waits for the shell's prompt and returns what was printed before it."""
        self.expect(PROMPT, timeout=timeout)
        return self.child.before

    def run(self, command, timeout=-1):
        """Types a command as a person would and returns its output (the echo removed)."""
        self.child.send(command + "\r")
        out = self.prompt(timeout)
        lines = out.replace("\r", "").split("\n")
        return "\n".join(lines[1:]).strip("\n") if lines and lines[0].endswith(command) \
            else out.replace("\r", "")

    def exited(self, timeout=20):
        """Waits for QEMU to end by itself and returns its exit status."""
        self.expect(pexpect.EOF, timeout=timeout)
        self.child.close()
        return self.child.exitstatus

    def output(self):
        """Everything the console printed so far."""
        return self.log.getvalue()

    def close(self):
        if self.child.isalive():
            self.child.terminate(force=True)


@pytest.fixture
def shell(boot):
    """A booted Vireo (test programs in its bootfs) at the shell's prompt."""
    m = boot(initrd=TEST_BOOTFS)
    m.prompt(timeout=30)
    return m


def soak(count):
    """How many rounds a cycle test runs: count in `make test`, VIREO_SOAK times as many in
    `make soak`."""
    return count * int(os.environ.get("VIREO_SOAK", "1"))


def free_pages(m):
    return int(number(r"(\d+) free", m.run("mem")))


def make_disk(path, mib=64):
    """A sparse raw disk image of mib MiB, as `make run` makes the user's."""
    with open(path, "wb") as f:
        f.truncate(mib << 20)
    return str(path)


@pytest.fixture
def boot(tmp_path):
    """boot(kernel=..., cpu=..., append=..., initrd=..., disk=..., net=..., smp=...,
    timeout=...) starts a machine (smp: its harts; `make ... SMP=N` otherwise, or 1). Each test has its own disk image, never the user's: a fresh 64 MiB one
    unless disk names another (disk=None: no disk). net=PORT gives it a NIC whose host port
    PORT on 127.0.0.1 reaches the guest's port 80."""
    machines = []
    fresh = []

    def start(kernel=USER_KERNEL, cpu=None, append=None, initrd=BOOTFS, extra=(), timeout=30,
              disk=fresh, net=None, smp=None):
        if disk is fresh:
            disk = make_disk(tmp_path / f"disk{len(machines)}.img")
        args = ["--kernel", kernel]
        if disk:
            args += ["--disk", str(disk)]
        if net:
            args += ["--net", str(net)]
        if smp:
            args += ["--smp", str(smp)]
        args += ["--initrd", initrd] if initrd else ["--no-initrd"]
        if cpu:
            args += ["--cpu", cpu]
        if append:
            args += ["--append", append]
        if extra:
            args += ["--", *extra]
        m = Machine(args, timeout)
        machines.append(m)
        return m

    yield start
    for m in machines:
        m.close()


def qemu_device_tree(directory, cpu=None):
    """The device tree QEMU builds for the launch line's machine, dumped through tools/qemu.sh
    (so by the QEMU the tests run on) into directory. Returns get(node, prop, kind="s"),
    which reads a property with fdtget (kind "u" for a number)."""
    dtb = os.path.join(str(directory), "qemu.dtb")
    args = ["--cpu", cpu] if cpu else []
    subprocess.run([QEMU_SH, *args, "--", "-machine", f"dumpdtb={dtb}"], check=True,
                   capture_output=True)

    def get(node, prop, kind="s"):
        return subprocess.run(["fdtget", "-t", kind, dtb, node, prop], check=True,
                              capture_output=True, text=True).stdout.strip()
    return get


def nm_symbols(elf):
    out = subprocess.run(["riscv64-linux-gnu-nm", elf], check=True, capture_output=True,
                         text=True).stdout
    return {line.split()[-1] for line in out.splitlines()}


def number(pattern, text):
    m = re.search(pattern, text, re.M)
    assert m, f"{pattern!r} not in {text!r}"
    return m.group(1)
