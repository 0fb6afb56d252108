"""Several VMs at once under one monitor (issue 13): a VM that is idle, or one that spins,
leaves the others their share of the monitor, and killing one leaves the others running."""
import re

import pytest

from test_hypervisor import assert_all_passed, run_guest
from test_linux import GUEST_PROMPT, boot_linux, guest


def start_detached(shell, path, banner):
    shell.send(f"vm run {path}\r")
    shell.expect(banner)
    return detach(shell)


@pytest.mark.parametrize("other, banner", [("idle", "idle: waiting in wfi"),
                                           ("spin", "spin: spinning forever")])
def test_a_ticking_guest_keeps_its_period_next_to(shell, other, banner):
    vm = start_detached(shell, f"/boot/guest/{other}.elf", banner)
    # timer checks each interrupt comes at most 20 ms late.
    out, end = run_guest(shell, "/boot/guest/timer.elf")
    assert_all_passed(out, end)
    assert shell.run(f"vm kill {vm}") == f"killed vm {vm}"


def detach(shell, vm=r"\d+"):
    """Ctrl-] back to the prompt; returns the id of the VM left."""
    shell.send("\x1d")
    shell.expect(rf"\[detached from vm ({vm});")
    left = shell.child.match.group(1)
    shell.prompt()
    return left


def answers(shell, vm, text):
    """Whether guest vm, attached again, echoes text at its prompt."""
    shell.send(f"vm attach {vm}\r")
    shell.send("\r")
    shell.expect(GUEST_PROMPT, timeout=30)
    said = guest(shell, f"echo {text}").strip() == text
    detach(shell, vm)
    return said


def test_two_linux_guests_answer_and_outlive_each_other(shell):
    boot_linux(shell)
    first = detach(shell)
    # The second boots while the first idles at its prompt.
    boot_linux(shell, "quiet")
    assert guest(shell, "echo second answers").strip() == "second answers"
    second = detach(shell)
    assert re.search(rf"^\s+{first}\s+Image .* running$", shell.run("vm list"), re.M)
    assert answers(shell, first, "first answers")
    assert shell.run(f"vm kill {first}") == f"killed vm {first}"
    assert answers(shell, second, "second still answers")
    assert shell.run(f"vm kill {second}") == f"killed vm {second}"
