"""Issue 14 (linux exec) and issue 12 (virtio-console): commands run in the Linux guest from
Vireo's prompt through its agent on virtio-console port 1, and the guest console on
virtio-console port 0 with `linux console=virtio`."""
import re
import time

from conftest import free_pages
from test_linux import BOOT_TIMEOUT, GUEST_PROMPT, boot_linux, guest, power_off

BOOTED = r"\[linux exec: booted vm (\d+)\]"


def first_exec(shell, command):
    """`linux exec` with no guest running: it boots one, then runs command there."""
    shell.send(f"linux exec {command}\r")
    vm = shell.expect(BOOTED, timeout=BOOT_TIMEOUT).group(1)
    out = shell.prompt(timeout=BOOT_TIMEOUT)
    return vm, out.replace("\r", "")


def warm_pages(shell):
    """Free pages once the monitor has run a Linux guest: its first one leaves page tables
    of its own behind, which the next guests reuse."""
    boot_linux(shell, "quiet")
    power_off(shell)
    return free_pages(shell)


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
    assert shell.run("vm exec 99 true") == "linux exec: vm 99: not found"
    # The guest runs on, detached, its console there to attach to.
    vms = shell.run("vm list")
    assert re.search(rf"^\s*{vm}\s+Image\s+1\s+256 MiB running", vms, re.M), vms
    shell.send(f"vm attach {vm}\r")
    shell.send("echo attached\r")
    shell.expect(r"\nattached\r*\n")
    power_off(shell)


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
    # A line at a time, edited here: backspace erases before the line goes.
    shell.send("helo\x7flo world\r")
    shell.expect("\nhello world\r*\n", timeout=20)
    shell.send("\x04")
    out = shell.prompt(timeout=20)
    assert "exit status" not in out, out
    # The guest ending under a command: the prompt comes back, saying so.
    out = shell.run("linux exec poweroff -f", timeout=30)
    assert re.search(r"linux exec: vm \d+ ended before the command did", out), out
    assert shell.run("echo alive") == "alive"


def test_virtio_console(shell):
    """`linux console=virtio`: the guest's console is virtio-console port 0 (hvc1), with the
    same keyboard and Ctrl-] as on the SBI console."""
    before = warm_pages(shell)
    boot_linux(shell, "console=virtio")
    assert guest(shell, "cat /proc/cmdline").split()[-1] == "console=hvc1"
    assert "hvc1" in guest(shell, "cat /sys/class/tty/console/active")
    # Both ports of the device: the console (no name) and the agent's.
    ports = guest(shell, "ls -1 /sys/class/virtio-ports | cat; cat /sys/class/virtio-ports/*/name")
    assert re.search(r"vport\dp0\s+vport\dp1\s+vireo\.agent", ports), ports
    # The keyboard reaches it: Ctrl-C at the guest's shell, and a long line.
    shell.send("sleep 100\r")
    time.sleep(1)
    shell.send("\x03")
    shell.expect(GUEST_PROMPT, timeout=10)
    assert guest(shell, "echo status $?").strip() == "status 130"
    line = "x" * 600
    assert guest(shell, f"echo {line} | wc -c").split()[-1] == "601"
    shell.send("\x1d")
    vm = shell.expect(r"\[detached from vm (\d+); 'vm attach \d+' goes back\]").group(1)
    shell.prompt()
    assert "alive" in shell.run("echo alive")
    shell.send(f"vm attach {vm}\r")
    shell.send("echo back again\r")
    shell.expect(r"\nback again\r*\n")
    shell.expect(GUEST_PROMPT)
    power_off(shell)
    assert free_pages(shell) == before


def test_exec_prints_a_mebibyte(shell):
    first_exec(shell, "true")
    # 1 to 150000, one a line: 1,038,895 bytes.
    shell.send("linux exec seq 1 150000\r")
    shell.expect("linux exec seq 1 150000")
    out = shell.prompt(timeout=120).replace("\r", "")
    numbers = out.split()
    assert numbers == [str(i) for i in range(1, 150001)], (len(numbers), numbers[-3:])
    assert shell.run("echo alive") == "alive"


def test_guest_without_agent(shell):
    """A Linux guest whose initramfs starts no agent (rdinit=/bin/sh: busybox's shell as PID
    1, without /init): a clear error at once, not a hang; the guest runs on."""
    shell.send("linux rdinit=/bin/sh\r")
    shell.expect(r"Linux version 6\.1", timeout=BOOT_TIMEOUT)
    shell.expect("# ", timeout=BOOT_TIMEOUT)
    shell.send("\x1d")
    vm = shell.expect(r"\[detached from vm (\d+);").group(1)
    shell.prompt()
    assert shell.run("linux exec true", timeout=10) == "linux exec: no agent in this guest"
    assert shell.run(f"vm exec {vm} true", timeout=10) == "linux exec: no agent in this guest"
    assert re.search(rf"^\s*{vm}\s+Image", shell.run("vm list"), re.M)
