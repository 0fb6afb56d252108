"""Issue 10: when the VM monitor ends, the VMs it ran are lost with it: the shell says so at
once, one line each, and the monitor init starts in its place serves the next `vm` command,
the request sent as it was typed."""
import re

from conftest import number

LOST = r"\[vm {} \({}\): lost: the VM monitor ended\]"


def start_detached(shell, guest, banner):
    shell.send(f"vm run /boot/guest/{guest}\r")
    shell.expect(banner)
    shell.send("\x1d")
    vm = shell.expect(r"\[detached from vm (\d+);").group(1)
    shell.prompt()
    return vm


def kill_vmm(shell):
    vmm = number(r"^\s+(\d+)\s+vmm\s", shell.run("ps"))
    shell.send(f"kill {vmm}\r")
    shell.expect(rf"killed task {vmm}")


def assert_hello_runs(shell):
    shell.send("vm run /boot/guest/hello.bin\r")
    shell.expect(r"DONE: \d+ passed, 0 failed")
    shell.expect(r"\[vm \d+ \(hello.bin\): powered off, reason 0\]")
    shell.prompt()


def test_vms_lost_with_their_monitor_are_reported_at_once(shell):
    spin = start_detached(shell, "spin.elf", "spin: spinning forever")
    idle = start_detached(shell, "idle.elf", "idle: waiting in wfi")
    kill_vmm(shell)
    # At the prompt, with nothing typed: the shell learns it from init, not at the next
    # command.
    shell.expect(LOST.format(spin, r"spin\.elf"))
    shell.expect(LOST.format(idle, r"idle\.elf"))
    shell.prompt()  # shown again below the report
    assert shell.run("vm list") == "  ID  NAME             CPUS  RAM     STATE"
    assert_hello_runs(shell)
    assert len(re.findall(r"lost: the VM monitor ended", shell.output())) == 2
    assert shell.run("echo shell fine") == "shell fine"


def test_a_request_after_the_monitor_ended_goes_whole_to_the_next_one(shell):
    assert "ID  NAME" in shell.run("vm list")  # the shell finds the monitor
    kill_vmm(shell)
    shell.prompt()
    # The shell still holds the dead monitor's endpoint: the request fails with "gone",
    # and goes again, as it was, once the look-up has found the new monitor.
    assert_hello_runs(shell)
    kill_vmm(shell)
    shell.prompt()
    assert shell.run("vm run /boot/guest/nothing.elf ram=16") == \
        "vm: /boot/guest/nothing.elf: not found"
    kill_vmm(shell)
    shell.prompt()
    assert shell.run("vm run /boot/guest/hello.elf cpus=9") == "vm: cpus= takes 1 to 8"
    assert "vmmot" not in shell.output()
