"""Issue: Vireo's shell, typed into as a person would, over the UART console driver."""
import re
import time

import pexpect

from conftest import number


def test_help_lists_every_command_with_its_help(shell):
    out = shell.run("help")
    for cmd in ("help", "ps", "mem", "ls", "cat", "echo", "uptime", "log", "run", "kill",
                "sleep", "vm", "hvstat", "poweroff", "reboot"):
        assert re.search(rf"^  {cmd}\b.* \S+", out, re.M), f"{cmd} missing from help"


def test_ps_lists_the_servers(shell):
    out = shell.run("ps")
    assert re.search(r"^\s+1\s+init\s+\w+\s+\d+$", out, re.M), out
    assert re.search(r"^\s+\d+\s+uart\s+(blocked|ready)\s+\d+$", out, re.M), out
    assert re.search(r"^\s+\d+\s+vmm\s+(blocked|ready)\s+\d+$", out, re.M), out
    assert re.search(r"^\s+\d+\s+shell\s+running\s+\d+$", out, re.M), out


def test_mem_shows_totals_and_tasks(shell):
    out = shell.run("mem")
    total, free = int(number(r"(\d+) total", out)), int(number(r"(\d+) free", out))
    kernel, tasks = int(number(r"kernel (\d+)", out)), int(number(r"tasks (\d+)", out))
    assert total - free == kernel + tasks
    per_task = [int(n) for n in re.findall(r"^\s+[\w-]+\s+(\d+) pages$", out, re.M)]
    ntasks = len(re.findall(r"^\s+\d+\s+[\w-]+", shell.run("ps"), re.M))
    # init, uart, vmm, shell, and for the disk the test machine has: virtio-blk, block, fs
    assert len(per_task) == ntasks == 7 and sum(per_task) == tasks


def test_ls_and_cat_browse_the_boot_file_system(shell):
    assert shell.run("ls") == "  boot/"
    out = shell.run("ls /boot")
    assert "bin/" in out and "etc/" in out
    out = shell.run("ls /boot/bin")
    for prog in ("init", "uart", "shell"):
        assert re.search(rf"^  {prog}\s+\d+ bytes$", out, re.M), out
    assert re.match(r"Vireo \d+\.\d+\.\d+ \(\S+\)$", shell.run("cat /boot/etc/version"))
    assert shell.run("cat /boot/nothing") == "cat: /boot/nothing: not found"
    assert shell.run("cat /boot/bin") == "cat: /boot/bin: is a directory"
    # 16 KB, so several reads from init, each printed line by line.
    lines = shell.run("cat /boot/test/lines.txt", timeout=60).splitlines()
    assert lines == [f"line {i:03d} of a text file longer than one IPC message"
                     for i in range(1, 301)], lines[:3]
    assert shell.run("ls /elsewhere") == "ls: /elsewhere: not found"
    assert shell.run("cat") == "cat: which file?"


def test_echo_uptime_and_log(shell):
    assert shell.run("echo hello   vireo world") == "hello vireo world"
    first = float(number(r"up ([\d.]+) s", shell.run("uptime")))
    time.sleep(0.3)
    second = float(number(r"up ([\d.]+) s", shell.run("uptime")))
    assert second > first
    log = shell.run("log")
    assert "a RISC-V microkernel" in log and "starting init" in log


def test_unknown_command_prints_one_line_and_the_prompt_returns(shell):
    assert shell.run("frobnicate now") == \
        "frobnicate: unknown command (type 'help' for the list)"
    assert shell.run("echo still here") == "still here"


def test_line_editing_backspace_ctrl_u_ctrl_c(shell):
    shell.send("echX\x7fo fixed\r")
    assert "fixed" in shell.prompt()
    shell.send("rubbish\x15echo clean\r")
    out = shell.prompt()
    assert out.replace("\r", "").strip().endswith("clean") and "rubbish: unknown" not in out
    shell.send("echo abandoned\x03")
    out = shell.prompt()
    assert "^C" in out and "abandoned\r\n" not in out.split("^C")[1]


def test_history_with_up_and_down_arrows(shell):
    shell.run("echo first")
    shell.run("echo second")
    shell.send("\x1b[A\x1b[A\r")  # history: first, second -> "echo first" runs again
    assert shell.prompt().replace("\r", "").strip().endswith("\nfirst")
    shell.send("\x1b[A\x1b[A\x1b[A\x1b[B\r")  # first, second, first; back down to second
    assert shell.prompt().replace("\r", "").strip().endswith("\nsecond")


def test_kill_refuses_init_and_unknown_ids(shell):
    assert shell.run("kill 1") == "kill: 1: init cannot be killed"
    assert shell.run("kill 999") == "kill: 999: not found"
    assert shell.run("kill") == "kill: which task id? (see ps)"


def test_killed_console_driver_is_restarted_and_the_shell_carries_on(shell):
    uart = number(r"^\s+(\d+)\s+uart", shell.run("ps"))
    shell.send(f"kill {uart}\r")
    shell.expect(r"restarting it")
    shell.send("\r")  # typed while the driver restarts: not lost
    shell.expect(rf"\nkilled task {uart}\r*\n")  # not sent again clobbered by the look-up
    shell.prompt()
    shell.prompt()
    assert shell.run("echo after restart") == "after restart"
    assert re.search(r"^\s+\d+\s+uart\s+(blocked|ready)", shell.run("ps"), re.M)


def test_sleep_waits_on_a_timer_notification(shell):
    start = time.monotonic()
    shell.run("sleep 1")
    assert time.monotonic() - start >= 1.0


def test_poweroff_ends_qemu_cleanly(shell):
    shell.send("poweroff\r")
    shell.expect("powering off")
    assert shell.exited() == 0


def test_reboot_boots_again(shell):
    shell.send("reboot\r")
    shell.expect("rebooting")
    shell.expect(r"Vireo \d+\.\d+\.\d+ ")
    shell.prompt(timeout=30)
    assert shell.run("echo back") == "back"
