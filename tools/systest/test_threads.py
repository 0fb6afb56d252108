"""Issue 13 (threads): a task runs several threads sharing its address space and handles,
each with its own IPC buffer, kernel stack and guarded user stack. Threads call one server
at once and are joined with their values; the thread table's limit, bad entry and stack
pointers and bad joins are refused with a clear error; a thread that faults, or a kill,
ends every thread of the task, and every page comes back."""
import re

from conftest import free_pages, number

HOLD_UP = "thread-hold: 4 threads up"


def run_threads(shell):
    """Runs the thread test program; returns its output and the id of thread-hold, which it
    leaves waiting."""
    out = shell.run("run /boot/test/threads", timeout=120)
    assert "WRONG" not in out and "NOT REFUSED" not in out, out
    assert "threads: all checks passed" in out, out
    if HOLD_UP not in out:
        shell.expect(HOLD_UP)
    return out, int(number(r"thread-hold is task (\d+)", out))


def test_threads_call_one_server_join_and_are_refused_past_their_limits(shell):
    _, hold = run_threads(shell)  # warm the kernel's object caches
    assert f"killed task {hold}" in shell.run(f"kill {hold}")
    before = free_pages(shell)

    out, hold = run_threads(shell)
    assert "thread-client: 7 threads x 300 calls at once, 7 joined with their values\n" in out
    assert "threads: server: 2101 calls, 0 wrong" in out, out
    assert "threads: thread 9 of 8 refused: the table is full" in out
    assert len(re.findall(r"^threads: (entry|stack) .*: refused$", out, re.M)) == 11, out
    for check in ("join after the thread ended", "a second join refused",
                  "joining itself refused", "joining no thread refused", "every handle back",
                  "threads waiting on a server that ends woken with an error"):
        assert f"threads: {check}: ok" in out, out

    # ps: the task, then a line per thread: the holder and the caller blocked in IPC, the
    # first thread in its join, the spinner ready or running.
    ps = shell.run("ps")
    block = re.search(rf"^\s+{hold}\s+thread-hold\s+\w+\s+\d+\n((?:\s+thread .*(?:\n|$))+)",
                      ps, re.M)
    assert block, ps
    threads = re.findall(r"thread (\d+)\s+(\w+)\s+hart (\d+)", block.group(1))
    states = sorted(state for _, state, _ in threads)
    assert len(threads) == 4 and states[:3] == ["blocked"] * 3, ps
    assert states[3] in ("ready", "running"), ps

    assert f"killed task {hold}" in shell.run(f"kill {hold}")
    ps = shell.run("ps")
    assert "thread-hold" not in ps and "thread-server" not in ps, ps
    assert free_pages(shell) == before
    assert shell.run("echo fine") == "fine"


def test_a_thread_that_faults_ends_its_task_and_every_page_comes_back(shell):
    shell.run("run /boot/test/thread-crash")  # warm the kernel's object caches
    before = free_pages(shell)
    out = shell.run("run /boot/test/thread-crash")
    # It overflowed its stack into the guard page below (lib/thread.c's window).
    assert re.search(r"task thread-crash \(id \d+\) killed: store page fault at pc \w+, "
                     r"address 29000\w+", out), out
    assert "still alive" not in out
    assert re.search(r"run: /boot/test/thread-crash \(task \d+\) was killed after a fault", out)
    assert "thread-crash" not in shell.run("ps")
    assert free_pages(shell) == before
    assert shell.run("echo fine") == "fine"
