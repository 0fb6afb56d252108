"""Issue 11: every guest has an ns16550a UART in its monitor (servers/vmm/uart.c): a bare-metal
guest drives it polled and by interrupts and reads what is typed, Linux runs an interactive
shell on ttyS0, and U-Boot's QEMU S-mode build reaches its prompt on it."""
import hashlib
import re
import time

from conftest import free_pages
from test_hypervisor import assert_all_passed, run_guest
from test_linux import BOOT_TIMEOUT, GUEST_PROMPT, guest, power_off
from test_long_input import words

UART_WARNING = r"\[vm \d+ \(uart\.elf\): uart: "


def checksum(text):
    """guest/tests/uart.c's checksum of a received line."""
    total = 0
    for c in text.encode():
        total = (total * 31 + c) & 0xffffffff
    return f"{total:x}"


def pages_after_a_first_guest(shell):
    """Free pages once the monitor has run a guest of the default 64 MiB: its first one
    leaves page tables of its own behind, which the next guests reuse."""
    run_guest(shell, "/boot/guest/hello.elf")
    return free_pages(shell)


def test_guest_drives_the_uart_polled_and_by_interrupts(shell):
    before = pages_after_a_first_guest(shell)
    # Longer than the FIFO (16) and the monitor's input queue takes at once from one key
    # read: the rest waits in the monitor until the guest reads.
    first = words(300).replace(" ", "_")
    second = "typed at the keyboard, read by polling LSR"
    shell.send("vm run /boot/guest/uart.elf\r")
    shell.expect(r"uart: type a line\r*\n", timeout=30)
    shell.send(first + "\r")
    shell.expect(r"uart: type another line\r*\n", timeout=60)
    shell.send(second + "\r")
    end = shell.expect(r"\[vm \d+ \(uart\.elf\): powered off[^\]]*\]", timeout=60).group(0)
    shell.prompt()
    out = shell.output().split("vm run /boot/guest/uart.elf")[-1]
    assert_all_passed(out, end)
    assert "uart: this line went out 16 bytes a THR-empty interrupt" in out, out
    assert f"uart: by interrupts: {len(first)} bytes, sum {checksum(first)}\r" in out, out
    assert f"uart: by polling: {len(second)} bytes, sum {checksum(second)}\r" in out, out
    # Each byte was echoed by the guest as it came, through the UART.
    assert first in out and second in out, out
    # The misuse at its end: one line each, and the UART answered on.
    for line in (r"4-byte read at offset 0x0 \(its registers are the bytes at 0x0-0x7\)",
                 r"1-byte write at offset 0x8 \(its registers are the bytes at 0x0-0x7\)",
                 r"write to the read-only LSR"):
        assert re.search(UART_WARNING + line + r"\]", out), (line, out)
    assert shell.run("echo shell ok") == "shell ok"
    assert free_pages(shell) == before


def test_bare_guest_gets_keyboard_input_on_the_uart_not_sbi(shell):
    """The UART is the console of a guest whose command line names none; `-- console=hvc0`
    sends the keyboard to the SBI console instead, where the guest reads nothing."""
    shell.send("vm run /boot/guest/uart.elf -- console=hvc0\r")
    shell.expect(r"uart: type a line\r*\n", timeout=30)
    shell.send("lost\r")
    time.sleep(1)
    shell.send("\x1d")
    vm = shell.expect(r"\[detached from vm (\d+);").group(1)
    shell.prompt()
    out = shell.output().split("uart: type a line")[-1]
    assert "uart: by interrupts" not in out, out
    assert shell.run(f"vm kill {vm}") == f"killed vm {vm}"


def boot_on_ttys0(shell):
    shell.send("linux ram=128 console=ttyS0\r")
    shell.expect(r"10010000\.serial: ttyS0 at MMIO 0x10010000 .* is a 16550A",
                 timeout=BOOT_TIMEOUT)
    shell.expect(GUEST_PROMPT, timeout=BOOT_TIMEOUT)


def test_linux_shell_on_ttys0(shell):
    boot_on_ttys0(shell)
    assert guest(shell, "cat /sys/class/tty/console/active").strip() == "ttyS0"
    assert guest(shell, "tty").strip() == "/dev/ttyS0"
    interrupts = guest(shell, "cat /proc/interrupts")
    assert re.search(r"^\s*\d+:\s+[1-9]\d*\s+SiFive PLIC\s+10\s+\w+\s+ttyS0$", interrupts,
                     re.M), interrupts
    # A 4 KiB paste, past the tty's line discipline (-icanon: no 4095-character line limit):
    # every byte, in order.
    text = words(4096).replace(" ", "_").ljust(4096, "_")
    shell.send("stty -icanon -echo; head -c 4096 | md5sum; stty icanon echo\r")
    time.sleep(1)
    shell.send(text)
    shell.expect(GUEST_PROMPT, timeout=60)
    assert hashlib.md5(text.encode()).hexdigest() in shell.child.before
    # Ctrl-C reaches the foreground job through the 8250 driver's tty.
    shell.send("sleep 100\r")
    time.sleep(1)
    shell.send("\x03")
    shell.expect(GUEST_PROMPT, timeout=10)
    assert guest(shell, "echo status $?").strip() == "status 130"
    # vi draws, takes an insert and a command line, and quits.
    shell.send("vi /tmp/note\r")
    shell.expect(r"- /tmp/note \d+/\d+ 100%", timeout=20)
    shell.send("iwritten in vi\x1b")
    shell.expect(r"\[Modified\]", timeout=20)
    shell.send(":wq\r")
    shell.expect(GUEST_PROMPT, timeout=20)
    assert guest(shell, "cat /tmp/note").strip() == "written in vi"
    # Line editing: a word typed, erased with backspaces, and the history's last line.
    shell.send("echo wrong\x7f\x7f\x7f\x7f\x7fright\r")
    shell.expect(r"\nright\r*\n")
    shell.expect(GUEST_PROMPT)
    shell.send("\x1b[A\r")
    shell.expect(r"\nright\r*\n")
    shell.expect(GUEST_PROMPT)
    power_off(shell)
    assert shell.run("echo back in vireo") == "back in vireo"


def test_u_boot_reaches_its_prompt_on_the_uart(shell):
    before = pages_after_a_first_guest(shell)
    shell.send("vm run /boot/guest/u-boot.bin\r")
    shell.expect(r"U-Boot 20\d\d\.\d\d", timeout=60)
    # Its console is the UART the device tree's stdout-path names.
    shell.expect(r"In:\s+serial@10010000", timeout=60)
    shell.expect("Hit any key to stop autoboot", timeout=60)
    shell.send(" ")
    shell.expect("=> ", timeout=30)
    shell.send("version\r")
    shell.expect(r"U-Boot 20\d\d\.\d\d[^\n]*\n", timeout=30)
    shell.expect("=> ", timeout=30)
    shell.send("help\r")
    shell.expect(r"version\s+- print monitor", timeout=30)
    shell.expect("=> ", timeout=30)
    shell.send("fdt addr $fdtcontroladdr; fdt print /soc/serial@10010000\r")
    shell.expect(r'compatible = "ns16550a"', timeout=30)
    shell.expect("=> ", timeout=30)
    shell.send("poweroff\r")
    shell.expect(r"\[vm \d+ \(u-boot\.bin\): powered off, reason 0\]", timeout=30)
    shell.prompt()
    assert shell.run("echo shell ok") == "shell ok"
    assert free_pages(shell) == before


def test_a_guest_flooding_its_uart_leaves_the_shell_responsive(shell):
    """Every byte written to THR is an exit to the monitor: a guest doing nothing else must
    still let the keyboard through, to itself (Ctrl-C) and to Vireo (Ctrl-])."""
    boot_on_ttys0(shell)
    shell.send("yes flooding the uart\r")
    shell.expect(r"(flooding the uart\r*\n){100}", timeout=30)
    shell.send("\x03")
    shell.expect(GUEST_PROMPT, timeout=20)
    shell.send("yes flooding the uart\r")
    shell.expect(r"(flooding the uart\r*\n){100}", timeout=30)
    shell.send("\x1d")
    vm = shell.expect(r"\[detached from vm (\d+);").group(1)
    shell.prompt(timeout=20)
    assert shell.run("echo still typing") == "still typing"
    assert shell.run(f"vm kill {vm}") == f"killed vm {vm}"
    assert "Image" not in shell.run("vm list")
