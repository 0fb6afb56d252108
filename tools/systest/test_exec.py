"""Issue 14 (linux exec) and issue 12 (virtio-console): commands run in the Linux guest from
Vireo's prompt through its agent on virtio-console port 1, and the guest console on
virtio-console port 0 with `linux console=virtio`."""
import re

from conftest import free_pages
from test_linux import BOOT_TIMEOUT, GUEST_PROMPT, boot_linux, guest, power_off

BOOTED = r"\[linux exec: booted vm (\d+)\]"


def first_exec(shell, command):
    """`linux exec` with no guest running: it boots one, then runs command there."""
    shell.send(f"linux exec {command}\r")
    vm = shell.expect(BOOTED, timeout=BOOT_TIMEOUT).group(1)
    out = shell.prompt(timeout=BOOT_TIMEOUT)
    return vm, out.replace("\r", "")


def test_exec_output_status_stderr(shell):
    vm, out = first_exec(shell, "uname -a")
    assert re.search(r"^Linux vireo 6\.1\.\d+ .* riscv64", out, re.M), out
    # The running guest is used from now on: no second boot.
    out = shell.run("linux exec sh -c 'exit 3'", timeout=30)
    assert out == "exit status 3", out
    out = shell.run("linux exec echo to-out; echo to-err >&2; exit 0", timeout=30)
    assert "to-out" in out and "to-err" in out and "exit status" not in out, out
    out = shell.run("linux exec ls /no/such/file", timeout=30)
    assert "No such file or directory" in out and "exit status 1" in out, out
    out = shell.run(f"vm exec {vm} cat /proc/sys/kernel/hostname", timeout=30)
    assert out == "vireo", out
    out = shell.run("vm exec 99 true", timeout=30)
    assert "linux exec" in out or "vm" in out, out
    # The guest is still there, with its console: attach, power off.
    vms = shell.run("vm list")
    assert re.search(rf"^\s*{vm}\s+Image", vms, re.M), vms
    assert "BOOTED" not in shell.run("echo alive")


def test_exec_ctrl_c_and_stdin(shell):
    first_exec(shell, "true")
    shell.send("linux exec sleep 100\r")
    shell.expect("sleep 100")
    shell.send("\x03")
    out = shell.prompt(timeout=20).replace("\r", "")
    assert "exit status 130" in out, out
    # Typed input is the command's stdin; Ctrl-D ends it.
    shell.send("linux exec cat\r")
    shell.expect("linux exec cat")
    shell.send("hello from vireo\r")
    shell.expect("hello from vireo[\r\n]+hello from vireo", timeout=20)
    shell.send("\x04")
    out = shell.prompt(timeout=20)
    assert "exit status" not in out, out
