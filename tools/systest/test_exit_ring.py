"""Issue 15: the ring of recent exits each vCPU keeps (hv/exit.c), as `hvstat -v` prints it
at the shell; tools/systest/test_gdb.py checks that GDB's `vireo exits` prints the same."""
import re


def test_hvstat_v_lists_each_vcpus_last_exits(shell):
    shell.send("vm run /boot/guest/spin.elf\r")
    shell.expect("spin: spinning forever")
    shell.send("\x1d")
    shell.expect(r"\[detached from vm (\d+);")
    vm = shell.child.match.group(1)
    shell.prompt()
    out = shell.run("hvstat -v")
    m = re.search(r"  vCPU 0: (\d+) exits, the last (\d+) oldest first:\n((    #\d+ pc [0-9a-f]{16} "
                  r".*\n?)+)", out)
    assert m, out
    count, kept, lines = int(m.group(1)), int(m.group(2)), m.group(3).splitlines()
    assert kept == min(count, 16) == len(lines), out
    numbers = [int(re.match(r"    #(\d+)", line).group(1)) for line in lines]
    assert numbers == list(range(count - kept + 1, count + 1)), out
    # spin's first exits: its first touch of RAM, its SBI calls to print; then the host's
    # timer interrupts while it spins.
    assert "host timer interrupt" in out, out
    assert "vCPU 0:" not in shell.run("hvstat")
    assert shell.run("hvstat -x") == "usage: hvstat [-v]"
    assert shell.run("hvstat -v more") == "usage: hvstat [-v]"
    assert shell.run(f"vm kill {vm}") == f"killed vm {vm}"
    assert shell.run("hvstat -v") == "hvstat: no VMs are running"


def test_ring_records_faults_sbi_calls_and_wfi(shell):
    """idle takes a handful of exits and then none: each kind it takes is in the ring."""
    shell.send("vm run /boot/guest/idle.elf\r")
    shell.expect("idle: waiting in wfi")
    shell.send("\x1d")
    shell.expect(r"\[detached from vm (\d+);")
    vm = shell.child.match.group(1)
    shell.prompt()
    out = shell.run("hvstat -v")
    assert re.search(r"  vCPU 0: (\d+) exits, the last \1 oldest first:\n"
                     r"    #1 pc 0000000080200000 fetch guest-page fault at gpa 80200000\n", out), out
    assert re.search(r"    #\d+ pc 00000000802[0-9a-f]{5} sbi dbcn \(eid 4442434e\) fid 0\n", out), out
    assert re.search(r"    #\d+ pc 00000000802[0-9a-f]{5} virtual instruction 10500073$", out,
                     re.M), out  # the monitor's device lines follow the ring
    assert shell.run(f"vm kill {vm}") == f"killed vm {vm}"
