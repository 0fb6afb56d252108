"""Issue 15: `make gdb`, one GDB session across the hypervisor's and the guests' stacks.
Each test runs tools/gdb.sh as `make gdb` does, in batch mode with the commands a person
would type, and types at the console socket it gives (tools/console.py's), so QEMU, its
gdbstub and GDB run together as they do for a user. Each test ends with the machine
going on after the stops, to a breakpoint further on."""
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time

import pytest

from conftest import BUILD, ROOT, TEST_BOOTFS, TEST_KERNEL

GDB_SH = os.path.join(ROOT, "tools", "gdb.sh")
GUEST_PROMPT = "vireo:/# "
HELLO = os.path.join(BUILD, "guest", "hello.elf")


class GdbRun:
    """tools/gdb.sh -batch -ex COMMAND..., and the console of the machine it starts."""

    def __init__(self, commands, guests=(), timeout=240):
        self.dir = tempfile.mkdtemp(prefix="vireo-gdb-test-")
        self.sock_path = os.path.join(self.dir, "console.sock")
        env = dict(os.environ, VIREO_KERNEL=TEST_KERNEL, VIREO_INITRD=TEST_BOOTFS,
                   VIREO_CONSOLE=self.sock_path)
        args = [GDB_SH]
        for g in guests:
            args += ["--guest", g]
        args.append("-batch")
        for c in commands:
            args += ["-ex", c]
        self.timeout = timeout
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, text=True, env=env,
                                     start_new_session=True)
        self.console = []
        self.sock = None
        deadline = time.monotonic() + 30
        while self.sock is None:
            try:
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.connect(self.sock_path)
                self.sock = s
            except OSError:
                s.close()
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    self.close()
                    pytest.fail(f"no console socket from tools/gdb.sh:\n{self.gdb_output()}")
                time.sleep(0.05)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        while True:
            try:
                data = self.sock.recv(4096)
            except OSError:
                return
            if not data:
                return
            self.console.append(data.decode(errors="replace"))

    def console_text(self):
        return "".join(self.console)

    def expect(self, pattern, timeout=120, since=0):
        """Waits for pattern on the console (after the first `since` characters)."""
        deadline = time.monotonic() + timeout
        while not re.search(pattern, self.console_text()[since:]):
            if time.monotonic() > deadline:
                raise AssertionError(f"console did not show {pattern!r}:\n"
                                     f"{self.console_text()[-3000:]}")
            time.sleep(0.05)

    def type(self, text):
        """Types as a person would: a character at a time, Enter as \\r."""
        for ch in text:
            self.sock.sendall(ch.encode())
            time.sleep(0.002)

    def finish(self):
        """GDB's output once its commands are done (QEMU then ends with it)."""
        try:
            out, _ = self.proc.communicate(timeout=self.timeout)
        except subprocess.TimeoutExpired:
            self.close()
            out, _ = self.proc.communicate()
            raise AssertionError(f"gdb did not finish in {self.timeout} s:\n{out}\n"
                                 f"console:\n{self.console_text()[-3000:]}")
        self.output = out
        return out

    def gdb_output(self):
        if self.proc.poll() is None:
            return "(gdb still running)"
        return self.proc.stdout.read()

    def close(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
        if self.sock:
            self.sock.close()
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def gdb_run():
    runs = []

    def start(commands, guests=(), timeout=240):
        r = GdbRun(commands, guests, timeout)
        runs.append(r)
        return r

    yield start
    for r in runs:
        r.close()


def section(out, start, end=None):
    """GDB's output from the line that echoes start (up to end's)."""
    i = out.find(start)
    assert i >= 0, f"{start!r} not in:\n{out}"
    j = out.find(end, i + len(start)) if end else -1
    return out[i:j] if j >= 0 else out[i:]


def hit(out, number, function):
    """Whether GDB reported a stop at breakpoint number in function."""
    return re.search(rf"Breakpoint {number}(\.\d+)?, (0x[0-9a-f]+ in )?{function} \(",
                     out) is not None


def no_traceback(out):
    assert "Traceback" not in out and "Python Exception" not in out, out


def test_gdb_stops_in_kmain_with_symbols():
    out = subprocess.run(
        [GDB_SH, "-batch", "-ex", "break kmain", "-ex", "continue", "-ex", "bt", "-ex",
         "info registers a0"],
        capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL).stdout
    assert "Breakpoint 1, kmain (hartid=0, fdt=0x" in out, out
    assert "in _start () at kernel/entry.S" in out, out


def test_the_kernel_has_every_field_the_commands_read():
    """`vireo check` finds every type, field and variable tools/gdb/vireo/kernel.py lists:
    a renamed field fails here, not silently in a command."""
    out = subprocess.run([GDB_SH, "-batch", "-ex", "vireo check", "-ex", "vireo symbols"],
                         capture_output=True, text=True, timeout=120,
                         stdin=subprocess.DEVNULL).stdout
    assert re.search(r"vireo check: the kernel has all \d+ types, \d+ fields", out), out
    for name in ("kernel", "init", "uart", "shell", "vmm"):
        assert re.search(rf"^{name}\s+(kernel|program)\s", out, re.M), out
    if os.path.exists(os.path.join(BUILD, "linux", "vmlinux")):
        assert re.search(r"^linux\s+guest\s+in use\s+0xffffffff80000000", out, re.M), out


def test_sbi_dispatch_while_linux_boots(gdb_run):
    """Stopped in the hypervisor's SBI dispatch on Linux's first SBI call: bt has the
    hypervisor's functions, guest-bt the Linux function that made the call."""
    r = gdb_run(["break sbi_dispatch", "continue", "bt", "vireo guest-bt", "vireo vcpu",
                 "vireo exits", "delete", "break do_sys_openat2", "continue",
                 "echo --- end\\n"])
    r.expect("vireo> ")
    r.type("linux\r")
    out = r.finish()
    no_traceback(out)
    bt = section(out, "Breakpoint 1, sbi_dispatch", "guest MMU")
    for fn in ("sbi_dispatch", "vcpu_handle_exit", "vm_run", "sys_vm_run"):
        assert f" {fn} (" in bt, bt
    guest_bt = section(out, "guest MMU", "registers (")
    assert re.search(r"guest MMU Sv(39|48|57), G-stage hgatp 0x8", guest_bt), guest_bt
    assert re.search(r"#0  sbi_ecall \(.*arch/riscv/kernel/sbi\.c:\d+", guest_bt), guest_bt
    assert re.search(r"#\d+ .* in start_kernel \(\) at .*init/main\.c:\d+", guest_bt), guest_bt
    vcpu = section(out, "registers (", "vm 1 (")
    assert "VS CSRs (loaded in the hart's VS CSRs)" in vcpu, vcpu
    assert re.search(r"vsatp [89a]", vcpu), vcpu
    assert re.search(r"vCPU 0: \d+ exits, the last \d+ oldest first:\n    #1 pc ", out), out
    # The guest went on booting after the stop, to its first file open.
    assert hit(out, 2, "do_sys_openat2"), out


def test_breakpoint_in_linux_then_host_bt(gdb_run):
    """Stopped in Linux (VS-mode) on a function reached from `vireo> linux`: bt shows
    Linux's stack, host-bt the VM, the vCPU, the host thread and what the monitor did."""
    r = gdb_run(["break do_sys_openat2", "continue", "bt", "vireo host-bt", "vireo vms",
                 "vireo tasks", "vireo guest-bt", "delete", "break vm_destroy", "continue",
                 "echo --- end\\n"])
    r.expect("vireo> ")
    r.type("linux\r")
    r.expect(GUEST_PROMPT, timeout=180)
    r.type("poweroff\r")
    out = r.finish()
    no_traceback(out)
    bt = section(out, "do_sys_openat2 (", "hart 0:")
    assert re.search(r"#0  do_sys_openat2 \(.*fs/open\.c:\d+", bt), bt
    assert re.search(r"#1  (0x[0-9a-f]+ in )?do_sys_open \(", bt), bt
    host = section(out, "hart 0:", "vm 1 (Image): monitor")
    assert "hart 0: in a guest (V=1)" in host, host
    assert re.search(r"vm 1 \(Image\) vCPU 0, guest pc 0xffffffff800", host), host
    assert re.search(r"host thread \d+ of task \d+ \(vmm\), running", host), host
    kernel = section(host, "the host kernel's stack", "what vmm was")
    for fn in ("vcpu_run_once", "vm_run", "sys_vm_run", "syscall_dispatch"):
        assert f" {fn} (" in kernel, kernel
    assert re.search(r" main \(\) at servers/vmm/main\.c:\d+", host), host
    assert "its last exits" in host, host
    assert re.search(r"vm 1 \(Image\): monitor task \d+ \(vmm\), VMID 1, \d+ MiB, 1 vCPUs\n"
                     r"  vCPU 0: runnable, pc 0x[0-9a-f]+ \(at its last exit\), \d+ exits, "
                     r"on hart 0", out), out
    assert re.search(r"^\s+\d+ vmm\s+running \*hart 0", out, re.M), out
    assert re.search(r"guest MMU Sv(39|48|57)", out), out
    assert hit(out, 2, "vm_destroy"), out


def test_bare_metal_guest_sbi_dispatch_and_breakpoint(gdb_run):
    """The same for a bare-metal test guest, whose symbols sit where the kernel's do: its
    SBI call seen from the hypervisor, then a breakpoint in the guest itself."""
    r = gdb_run(["break sbi_dispatch", "continue", "bt 3", "vireo guest-bt", "delete",
                 "vireo use hello.elf", "break legacy_puts if $vireo_in_guest()", "continue",
                 "bt", "vireo host-bt", "delete", "vireo use kernel", "break vm_destroy",
                 "continue", "echo --- end\\n"], guests=[HELLO])
    r.expect("vireo> ")
    r.type("vm run /boot/guest/hello.elf\r")
    out = r.finish()
    no_traceback(out)
    assert " sbi_dispatch (" in section(out, "Breakpoint 1, sbi_dispatch", "guest MMU")
    guest_bt = section(out, "guest MMU", "in use in place of the kernel's")
    assert "guest MMU Bare (MMU off)" in guest_bt, guest_bt
    assert re.search(r"#0  sbi_call \(.*guest/tests/lib\.c:\d+", guest_bt), guest_bt
    assert re.search(r" main \(.*\) at guest/tests/hello\.c:\d+", guest_bt), guest_bt
    bt = section(out, "legacy_puts (", "hart 0:")
    assert re.search(r"#0  (0x[0-9a-f]+ in )?legacy_puts \(.*guest/tests/hello\.c:\d+", bt), bt
    assert re.search(r"#1  (0x[0-9a-f]+ in )?main \(.*guest/tests/hello\.c:\d+", bt), bt
    host = section(out, "hart 0:", "the kernel's symbols are in use again")
    assert "hart 0: in a guest (V=1)" in host, host
    assert "vm 1 (hello.elf) vCPU 0, guest pc 0x802" in host, host
    assert " vm_run (" in host, host
    assert hit(section(out, "the kernel's symbols are in use again"), 3, "vm_destroy"), out


def test_two_vcpus(gdb_run):
    """A guest with 2 vCPUs: the second one's SBI call, its own registers and stack."""
    hsm = os.path.join(BUILD, "guest", "hsm.elf")
    r = gdb_run(["break sbi_dispatch if v->index == 1", "continue", "vireo vms", "vireo vcpu",
                 "vireo guest-bt", "vireo guest-bt 1 0", "delete", "break vm_destroy",
                 "continue", "echo --- end\\n"], guests=[hsm])
    r.expect("vireo> ")
    r.type("vm run /boot/guest/hsm.elf cpus=2\r")
    out = r.finish()
    no_traceback(out)
    assert re.search(r"vm 1 \(hsm\.elf\): .* 2 vCPUs\n  vCPU 0: .*\n  vCPU 1: runnable, .*"
                     r"on hart 0", out), out
    assert re.search(r"vm 1 \(hsm\.elf\) vCPU 1: runnable", out), out
    second = section(out, "vm 1 (hsm.elf) vCPU 1, pc", "vm 1 (hsm.elf) vCPU 0, pc")
    assert re.search(r" secondary_main \(.*guest/tests/hsm\.c:\d+", second), second
    first = section(out, "vm 1 (hsm.elf) vCPU 0, pc", "Breakpoint 2")
    assert "secondary_main" not in first and re.search(r" main \(", first), first
    assert hit(out, 2, "vm_destroy"), out


def test_garbage_guest_page_tables(gdb_run):
    """A guest whose page tables are garbage: guest-bt says what it cannot translate (the
    address and the level), with no Python traceback, and Vireo runs on."""
    badpt = os.path.join(BUILD, "guest", "badpt.elf")
    r = gdb_run(["break vcpu_handle_exit if $vsatp != 0", "continue", "vireo guest-bt",
                 "vireo vcpu", "delete", "break vm_destroy", "continue",
                 "echo --- end\\n"], guests=[badpt])
    r.expect("vireo> ")
    r.type("vm run /boot/guest/badpt.elf\r")
    r.expect("badpt: garbage page tables from now on")
    r.type("\x1d")  # the console keeps what is typed while GDB has the machine stopped
    r.expect(r"\[detached from vm (\d+);")
    r.type("vm kill 1\r")
    out = r.finish()
    no_traceback(out)
    assert re.search(r"vireo guest-bt: vm 1 \(badpt\.elf\) vCPU 0: cannot read the stack: "
                     r"sp 0x[0-9a-f]+: cannot translate guest virtual address 0x[0-9a-f]+: "
                     r"Sv39 level \d entry at guest physical 0x[0-9a-f]+ ", out), out
    assert re.search(r"vsatp 80000000000802", out), out
    assert hit(out, 2, "vm_destroy"), out
    assert "killed vm 1" in r.console_text()


def test_task_bt_and_exits_match_hvstat(gdb_run):
    """`vireo task-bt` of a blocked server and of the shell in a system call, and `vireo
    exits` against what `hvstat -v` prints of the same ring at the same moment."""
    r = gdb_run(["break sys_vm_stat", "continue", "vireo tasks", "vireo task-bt 1",
                 "vireo task-bt 4", "vireo exits", "delete", "break sys_task_list",
                 "continue", "echo --- end\\n"])
    r.expect("vireo> ")
    r.type("vm run /boot/guest/spin.elf\r")
    r.expect("spin: spinning forever")
    r.type("\x1d")
    r.expect(r"\[detached from vm 1;")
    r.expect("vireo> ")
    since = len(r.console_text())
    r.type("hvstat -v\r")
    r.expect(r"vireo> ", since=since)
    r.type("ps\r")
    out = r.finish()
    no_traceback(out)
    assert re.search(r"^\s+1 init\s+blocked \(recv\)", out, re.M), out
    assert re.search(r"^\s+4 shell\s+running \*hart 0", out, re.M), out
    init = section(out, "task 1 (init)", "task 4 (shell)")
    assert re.search(r" main \(.*\) at servers/init/main\.c:\d+", init), init
    assert "kernel stack (where it was switched out):" in init, init
    assert re.search(r" (sched_switch|sched_block|context_switch) \(", init), init
    shell = section(out, "task 4 (shell)", "vm 1 (spin.elf):")
    assert re.search(r" cmd_hvstat \(.*servers/shell/vm\.c:\d+", shell), shell
    assert "kernel stack: it runs on a hart now" in shell, shell
    gdb_lines = section(out, "vm 1 (spin.elf):\n", "Breakpoint 2").splitlines()[1:]
    gdb_lines = [line for line in gdb_lines if line.startswith("  ")]
    console = r.console_text()[since:].replace("\r", "")
    shell_lines = [line for line in section(console, "vm 1 (spin.elf)").splitlines()
                   if line.startswith("  vCPU") or line.startswith("    #")]
    assert gdb_lines and gdb_lines == shell_lines, (gdb_lines, shell_lines)
    assert "host timer interrupt" in "\n".join(shell_lines), shell_lines


def test_stop_in_a_task_in_u_mode(gdb_run):
    """A breakpoint in the shell, which runs in U-mode: GDB's bt with the shell's symbols,
    task-bt from the live registers, and the machine going on to the shell's system call."""
    r = gdb_run(["vireo use shell", 'break cmd_hvstat if $_streq($vireo_task(), "shell")',
                 "continue", "bt", "vireo task-bt 4", "delete", "break sys_vm_stat",
                 "continue", "echo --- end\\n"])
    r.expect("vireo> ")
    r.type("hvstat\r")
    out = r.finish()
    no_traceback(out)
    assert "vireo: stopped in task 4 (shell) in U-mode" in out, out
    bt = section(out, "vireo: stopped in task 4", "task 4 (shell), thread")
    assert re.search(r"#0  (0x[0-9a-f]+ in )?cmd_hvstat \(.*servers/shell/vm\.c:\d+", bt), bt
    assert re.search(r" run_command \(.*servers/shell/commands\.c:\d+", bt), bt
    task = section(out, "task 4 (shell), thread", "Breakpoint 2")
    assert "user stack (live: it runs in U-mode now):" in task, task
    assert re.search(r"#0  (0x[0-9a-f]+ in )?cmd_hvstat \(", task), task
    assert "kernel stack: it runs on a hart now" in task, task
    assert hit(out, 2, "sys_vm_stat"), out
