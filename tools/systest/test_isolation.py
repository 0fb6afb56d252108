"""Issue: isolation. Each test performs an attack a hostile task or guest could make, then
checks the clear refusal and that the system runs on (the shell answers, `mem` is back)."""
import re

from conftest import free_pages, number
from test_hypervisor import assert_all_passed, run_guest


def test_program_with_3_mib_of_bss_loads(shell):
    expected = "bigbss: 3 MiB of .bss, 0 pages not zero, .data intact"
    assert shell.run("run /boot/test/bigbss") == expected
    before = free_pages(shell)  # after the first run: the kernel heap has grown for it
    assert shell.run("run /boot/test/bigbss") == expected
    assert free_pages(shell) == before


def test_a_guest_cannot_change_the_hosts_counter_and_envcfg_csrs(shell):
    for _ in range(2):  # the second run starts with fresh values, not the first one's
        out, end = run_guest(shell, "/boot/guest/csr-env.elf")
        assert_all_passed(out, end)
    assert shell.run("run /boot/test/counters") == \
        "counters: time, cycle and instret read (nonzero)"


def test_guest_pokes_at_host_devices_get_access_faults(shell):
    out, end = run_guest(shell, "/boot/guest/poke.elf ram=16")
    assert_all_passed(out, end)
    assert shell.run("echo still here") == "still here"


def test_registers_fpu_and_ram_never_reach_the_next_guest(shell):
    shell.send("vm run /boot/guest/residue-fill.elf ram=16\r")
    shell.expect(r"residue-fill: RAM and FP registers filled")
    shell.expect(r"\[vm \d+ \(\S+\): powered off, reason 0\]")
    shell.prompt()
    out, end = run_guest(shell, "/boot/guest/residue-check.elf ram=16")
    assert_all_passed(out, end)


def test_plain_programs_cannot_use_the_system_handles_rights(shell):
    out = shell.run("run /boot/test/badcalls")
    for what in ("log read without the log right", "create a VM without the VM right",
                 "make a quota without the system handle"):
        assert f"badcalls: {what}: refused" in out, out


def test_log_lines_from_a_plain_program_are_marked_with_its_name(shell):
    shell.run("run /boot/test/conspeed")
    log = shell.run("log")
    assert re.search(r"^\[conspeed\] console \d+ us/line, kernel log \d+ us/line$", log, re.M), log
    assert re.search(r"^\[conspeed\] 0123456789", log, re.M), log


def test_memory_quota_stops_a_hog_and_everything_runs_on(shell):
    total = int(number(r"(\d+) total", shell.run("mem")))
    shell.run("run /boot/test/memhog")
    before = free_pages(shell)  # after the first run: the kernel heap has grown for it
    out = shell.run("run /boot/test/memhog")
    took = int(number(r"memhog: took (\d+) MiB, then: over the memory quota", out))
    assert 0 < took <= total // 4 // 256, out
    assert "memhog: a memory object then: over the memory quota" in out, out
    assert free_pages(shell) == before
    out, end = run_guest(shell, "/boot/guest/hello.elf")
    assert_all_passed(out, end)


def fill_the_vm_table(shell):
    ids = []
    for _ in range(8):
        shell.send("vm run /boot/guest/spin.elf ram=4\r")
        shell.expect("spin: spinning forever")
        shell.send("\x1d")
        ids.append(shell.expect(r"\[detached from vm (\d+);").group(1))
        shell.prompt()
    assert shell.run("vm run /boot/guest/hello.elf ram=4") == \
        "vm: the VM table is full (8 VMs)"
    for vm in ids:
        assert shell.run(f"vm kill {vm}") == f"killed vm {vm}"


def test_a_full_vm_table_is_reported_as_full(shell):
    """Eight guests that never exit by themselves also show that each gets its turn."""
    fill_the_vm_table(shell)
    before = free_pages(shell)  # after the first round: the kernel heap has grown for it
    fill_the_vm_table(shell)
    assert free_pages(shell) == before
