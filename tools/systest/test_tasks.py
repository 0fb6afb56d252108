"""Issue: user tasks run isolated; a faulting task is reported and cleaned up while the
shell and the servers carry on."""
import re

from conftest import free_pages, soak


def test_run_a_program_from_the_bootfs(shell):
    assert shell.run("run /boot/test/hello") == "hello from task hello"
    assert shell.run("run /boot/test/missing") == "run: /boot/test/missing: not found"
    out = shell.run("run /boot/etc/version")
    assert "spawn version: ELF: file too small for the ELF header" in out
    assert out.endswith("run: /boot/etc/version: not a RISC-V executable")


def test_crashing_task_is_reported_cleaned_up_and_the_shell_stays(shell):
    shell.run("run /boot/test/hello")  # warm the kernel's object caches
    before = free_pages(shell)
    out = shell.run("run /boot/test/crash")
    assert "crash: about to execute an illegal instruction" in out
    assert re.search(r"task crash \(id \d+\) killed: illegal instruction at pc 20000\w+", out)
    assert "still alive" not in out
    assert re.search(r"run: /boot/test/crash \(task \d+\) was killed after a fault", out)
    assert free_pages(shell) == before
    assert "crash" not in shell.run("ps")
    assert shell.run("echo fine") == "fine"


def test_task_touching_kernel_memory_is_killed(shell):
    out = shell.run("run /boot/test/poke-kernel")
    assert re.search(r"killed: load page fault at pc \w+, address 80200000", out), out
    assert "which is wrong" not in out


def test_task_touching_another_tasks_memory_is_killed(shell):
    out = shell.run("run /boot/test/poke-init")
    assert re.search(r"killed: load page fault at pc \w+, address 3800000000", out), out
    assert "which is wrong" not in out


def test_bad_pointers_and_handles_are_refused(shell):
    out = shell.run("run /boot/test/badcalls")
    assert "NOT REFUSED" not in out, out
    assert "badcalls: all refused" in out
    assert len(re.findall(r": refused$", out, re.M)) == 15


def test_200_spawn_exit_cycles_return_every_page(shell):
    shell.run("run /boot/test/hello")
    before = free_pages(shell)
    for _ in range(soak(200)):
        assert shell.run("run /boot/test/hello") == "hello from task hello"
    assert free_pages(shell) == before


def test_memory_objects_are_shared_with_rights_and_returned(shell):
    shell.run("run /boot/test/shm-owner")  # warm the kernel's object caches
    before = free_pages(shell)
    out = shell.run("run /boot/test/shm-owner")
    assert "WRONG" not in out, out
    assert "shm-owner: all held" in out, out
    assert "shm-peer: map writable: not permitted" in out
    assert "shm-peer: mapped 4 pages read-only" in out
    assert re.search(r"task shm-peer \(id \d+\) killed: store page fault at pc \w+, "
                     r"address 2a00000000", out), out
    assert "which is wrong" not in out
    assert len(re.findall(r"^shm-owner: .*: ok$", out, re.M)) == 17
    assert free_pages(shell) == before
