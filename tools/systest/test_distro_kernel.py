"""Issue 11: a distribution's packaged kernel, which no one here built, boots under `linux
image=...`: Debian's riscv64 6.12 with its full configuration (the 8250 driver built in,
virtio-mmio as a module, no HVC_RISCV_SBI) gets its console on the monitor's 16550, reads
the current ISA bindings from the guest device tree, and the host runs on after it."""
import os
import re
import shutil
import subprocess
import time

import pytest

from conftest import BUILD, ROOT, TEST_KERNEL, free_pages
from test_linux import GUEST_PROMPT, guest, host_extensions

IMAGE = "/boot/extra/debian-Image"


@pytest.fixture(scope="module")
def distro_bootfs(tmp_path_factory):
    """The test boot file system with Debian's kernel added as /boot/extra/debian-Image."""
    fetch = subprocess.run([os.path.join(ROOT, "tools", "distro-kernel.sh")],
                           capture_output=True, text=True, timeout=600)
    if fetch.returncode:
        pytest.fail(f"could not fetch the distribution kernel:\n{fetch.stderr}")
    staging = tmp_path_factory.mktemp("distro") / "bootfs"
    shutil.copytree(os.path.join(BUILD, "test", "bootfs"), staging)
    os.makedirs(staging / "extra", exist_ok=True)
    shutil.copy(fetch.stdout.strip(), staging / "extra" / "debian-Image")
    archive = staging.parent / "bootfs.cpio"
    names = subprocess.run("find . -mindepth 1 | LC_ALL=C sort", shell=True, cwd=staging,
                           capture_output=True, text=True, check=True).stdout
    with open(archive, "wb") as out:
        subprocess.run(["cpio", "-o", "-H", "newc", "--quiet"], input=names.encode(),
                       cwd=staging, stdout=out, check=True)
    return str(archive)


def test_debian_kernel_gets_a_shell_on_ttys0(boot, distro_bootfs):
    m = boot(kernel=TEST_KERNEL, initrd=distro_bootfs)
    m.prompt(timeout=30)
    m.send(f"linux image={IMAGE} console=ttyS0\r")
    m.expect(r"Linux version 6\.12\.\S+ .*Debian", timeout=120)
    m.expect(r"10010000\.serial: ttyS0 at MMIO 0x10010000 .* is a 16550A", timeout=120)
    m.expect(GUEST_PROMPT, timeout=120)
    assert "unable to open an initial console" not in m.output()
    assert "deprecated" not in m.output()  # "Falling back to deprecated riscv,isa"
    assert re.match(r"Linux vireo 6\.12\.\S+ #1 SMP Debian", guest(m, "uname -a"))
    assert guest(m, "tty").strip() == "/dev/ttyS0"
    # Its ISA line comes from riscv,isa-extensions, and names nothing the host lacks but
    # what Linux 6.12 itself derives from C and D (Zca, Zcd).
    isa = re.search(r"^isa\s*: rv64(\S+)", guest(m, "cat /proc/cpuinfo"), re.M).group(1)
    letters, _, rest = isa.partition("_")
    claimed = set(letters) | set(rest.split("_")) - {""}
    assert claimed - {"zca", "zcd"} <= host_extensions(m), (isa, host_extensions(m))
    # The tty is the 8250 driver's: Ctrl-C reaches the foreground job.
    m.send("sleep 100\r")
    time.sleep(1)
    m.send("\x03")
    m.expect(GUEST_PROMPT, timeout=10)
    assert guest(m, "echo status $?").strip() == "status 130"
    m.send("poweroff\r")
    m.expect(r"\[vm \d+ \(debian-Image\): powered off, reason 0\]", timeout=60)
    m.prompt()
    assert m.run("echo back in vireo") == "back in vireo"
    # Once more, quietly: what the first run left mapped (the monitor's view of the bootfs,
    # its page tables) is kept, and the second gives back every page it took.
    before = free_pages(m)
    m.send(f"linux image={IMAGE} console=ttyS0 quiet\r")
    m.expect(GUEST_PROMPT, timeout=120)
    m.send("poweroff -f\r")
    m.expect(r"\[vm \d+ \(debian-Image\): powered off, reason 0\]", timeout=60)
    m.prompt()
    assert free_pages(m) == before
