"""Issue 10: init's answers rest on who asks. A service's name is only its own (no task can
take "vmm" or "console"), a task's exit status only its parent's, and a service that keeps
crashing is restarted with a backoff of its own, not a budget shared with the others."""
import re
import time

from conftest import free_pages, number

RESTARTING = r"init: /boot/bin/vmm ended \(killed\); restarting it"


def test_names_of_services_and_of_other_tasks_cannot_be_taken(shell):
    shell.run("run /boot/test/impostor")  # warm the kernel's object caches
    before = free_pages(shell)
    out = shell.run("run /boot/test/impostor", timeout=30)
    assert "WRONG" not in out, out
    for what in ("register vmm", "register console", "register owned-name"):
        assert f"impostor: {what}: not permitted" in out, out
    assert "impostor: register a name too long to keep whole: invalid argument" in out
    assert "vmm: cannot register" in out, out  # the second copy of the monitor
    assert "impostor: a second vmm ends: ok" in out, out
    assert "impostor: the monitor still answers under vmm: ok" in out, out
    assert "impostor: register owned-name once its owner is gone: ok" in out, out
    assert "impostor: all refused" in out
    assert free_pages(shell) == before
    # The shell's `vm` still reaches the real monitor, and the console still works.
    shell.send("vm run /boot/guest/hello.bin\r")
    shell.expect(r"DONE: \d+ passed, 0 failed")
    shell.expect(r"\[vm \d+ \(hello.bin\): powered off, reason 0\]")
    shell.prompt()
    assert shell.run("echo console fine") == "console fine"


def test_only_the_parent_may_wait_for_a_task(shell):
    ps = shell.run("ps")
    services = [number(rf"^\s+(\d+)\s+{name}\s", ps) for name in ("uart", "vmm", "shell")]
    out = shell.run("run /boot/test/waitthief", timeout=30)
    assert "WRONG" not in out, out
    # The shell's `run` got the thief's own status back: nobody took it.
    me = number(r"run: /boot/test/waitthief \(task (\d+)\) exited with status 3", out)
    for task in services + [me]:
        assert f"waitthief: wait for task {task}: not permitted" in out, out
    assert "waitthief: all refused, its own child waited for" in out
    assert shell.run("run /boot/test/hello") == "hello from task hello"


def vmm_id(m):
    return int(number(r"^\s+(\d+)\s+vmm\s", m.run("ps")))


def sync(m):
    """Waits for the prompt after a command whose output races with init's: which of the two
    comes first is not fixed, so the prompt to wait for is one after a marker."""
    m.send("echo synced\r")
    m.expect(r"\nsynced\r*\n")
    m.prompt()


def kill_vmm(m, timeout=10):
    """Kills the VM monitor and waits for init to have started another; returns the line
    init printed about it."""
    old = vmm_id(m)
    m.send(f"kill {old}\r")
    line = m.expect(r"init: /boot/bin/vmm ended \(killed\)[,;] [^\r\n]*\r*\n").group(0)
    line = line.rstrip()
    sync(m)
    deadline = time.monotonic() + timeout
    while "not restarting" not in line and time.monotonic() < deadline:
        ps = m.run("ps")
        new = re.search(r"^\s+(\d+)\s+vmm\s+(blocked|ready|running)", ps, re.M)
        if new and int(new.group(1)) != old:
            return line
        time.sleep(0.1)
    return line


def test_a_crashing_monitor_keeps_coming_back_with_a_backoff(shell):
    lines = [kill_vmm(shell) for _ in range(8)]
    assert re.search(RESTARTING + "$", lines[0]), lines  # the first time at once
    delays = [int(number(r"restarting it in (\d+) ms", line)) for line in lines[1:]]
    assert delays == [100, 200, 400, 800, 1600, 2000, 2000], lines
    shell.send("vm run /boot/guest/hello.bin\r")
    shell.expect(r"DONE: \d+ passed, 0 failed")
    shell.expect(r"\[vm \d+ \(hello.bin\): powered off, reason 0\]")
    shell.prompt()


def test_init_gives_up_on_one_service_only_and_says_so(shell):
    for _ in range(9):
        assert "not restarting" not in kill_vmm(shell)
    line = kill_vmm(shell)
    assert re.search(r"init: /boot/bin/vmm ended \(killed\), 10 times in a row within 10 s "
                     r"of its start; not restarting it again", line), line
    assert not re.search(r"^\s+\d+\s+vmm\s", shell.run("ps"), re.M)
    assert shell.run("vm run /boot/guest/hello.bin") == "vm: the VM monitor is not available"
    assert shell.run("vm list") == "vm: the VM monitor is not available"
    # The console driver has a count of its own: it is restarted at once.
    uart = number(r"^\s+(\d+)\s+uart", shell.run("ps"))
    shell.send(f"kill {uart}\r")
    shell.expect(r"init: /boot/bin/uart ended \(killed\); restarting it\r*\n")
    sync(shell)
    assert shell.run("echo still here") == "still here"
