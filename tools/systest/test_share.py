"""Issue 14, Vireo's side: its own file system on the disk's volume "share", served by the fs
server, at the shell as /share; tools/fsck checks the disk image after clean ends and after
QEMU was killed in the middle of writes. Each test has its own disk image."""
import os
import random
import re
import signal
import subprocess
import time

import pexpect
import pytest

from conftest import BUILD, PROMPT, TEST_BOOTFS, free_pages, make_disk, number, soak

FSCK = os.path.join(BUILD, "fsck")
IMAGE = "/boot/linux/Image"


def fsck(image):
    """tools/fsck on a disk image: its exit status and what it printed."""
    if not os.path.exists(FSCK):
        pytest.fail(f"{FSCK} is missing: run the tests through `make test`")
    r = subprocess.run([FSCK, str(image)], capture_output=True, text=True, timeout=60)
    return r.returncode, r.stdout


def assert_clean(image):
    status, out = fsck(image)
    assert status == 0 and "clean:" in out, out
    return out


def boot_shell(boot, disk):
    m = boot(initrd=TEST_BOOTFS, disk=disk)
    m.prompt(timeout=30)
    return m


def size_of(shell, path):
    """A file's size, from ls of its directory."""
    directory, name = path.rsplit("/", 1)
    out = shell.run(f"ls {directory}")
    m = re.search(rf"^  {re.escape(name)}\s+(\d+) bytes$", out, re.M)
    assert m, out
    return int(m.group(1))


def test_share_commands_work_and_refuse_clearly(boot, tmp_path):
    disk = make_disk(tmp_path / "host.img", 64)
    sh = boot_shell(boot, disk)
    first = sh.run("ls /share")
    assert "fs: made the volume share" in first and "making one" in first, first
    assert sh.run("ls /share") == ""
    # Warm up what stays: the session's buffer, the bootfs mapped for cp.
    assert sh.run("cp /boot/etc/version /share/warm") == ""
    before = free_pages(sh)

    assert sh.run("echo hello world > /share/f") == ""
    assert sh.run("cat /share/f") == "hello world"
    assert sh.run("echo more >>/share/f") == ""
    assert sh.run("cat /share/f") == "hello world\nmore"
    assert sh.run("echo over > /share/f") == ""
    assert sh.run("cat /share/f") == "over"
    assert sh.run("mkdir /share/d") == ""
    assert sh.run("cp /boot/etc/version /share/d") == ""
    assert sh.run("cat /share/d/version") == sh.run("cat /boot/etc/version")
    assert sh.run("cp /share/d/version /share/d/copy") == ""
    assert sh.run("cat /share/d/copy") == sh.run("cat /boot/etc/version")
    assert sh.run("cp /boot/test/lines.txt /share/lines") == ""
    assert sh.run("cat /share/lines") == sh.run("cat /boot/test/lines.txt")
    assert sh.run("mv /share/f /share/d/g") == ""
    assert sh.run("mv /share/d/copy /share") == ""  # into a directory: same name there
    listing = sh.run("ls /share")
    assert re.search(r"^  d/$", listing, re.M) and re.search(r"^  copy\s+\d+ bytes$", listing,
                                                             re.M), listing
    assert "  f " not in listing
    assert re.search(r"^  g\s+5 bytes$", sh.run("ls /share/d"), re.M)
    assert sh.run("cat /share/d/../d/./g") == "over"
    df = sh.run("df")
    assert re.search(r"/share\s+\d+\s+\d+\s+\d+\s+\d+%\s+\d+/\d+", df), df

    # Errors: one clear line each, and the shell goes on.
    assert sh.run("cat /share/missing") == "cat: /share/missing: no such file or directory"
    assert sh.run("ls /share/missing") == "ls: /share/missing: no such file or directory"
    assert sh.run("cat /share/d") == "cat: /share/d: is a directory"
    assert sh.run("mkdir /share/d/g") == "mkdir: /share/d/g: already exists"
    assert sh.run("mkdir /share/d") == "mkdir: /share/d: already exists"
    assert sh.run("mkdir /share/missing/x") == \
        "mkdir: /share/missing/x: no such file or directory"
    assert sh.run("echo x > /share/d/g/h") == "echo: /share/d/g/h: not a directory"
    assert sh.run("echo x > /share/d") == "echo: /share/d: is a directory"
    assert sh.run("rm /share/d") == "rm: /share/d: directory not empty"
    assert sh.run("rm /share/nothing") == "rm: /share/nothing: no such file or directory"
    long = "/share/" + "n" * 256
    assert sh.run(f"echo x > {long}") == f"echo: {long}: name too long (at most 255 bytes)"
    assert sh.run(f"mkdir {long}") == f"mkdir: {long}: name too long (at most 255 bytes)"
    assert sh.run("echo x > /share/" + "n" * 255) == ""  # the longest name is fine
    assert sh.run("echo x > /boot/etc/version") == \
        "echo: /boot/etc/version: only files in /share can be written"
    assert sh.run("cat /share/..") == "cat: /share/..: invalid name or argument"
    assert sh.run("mv /share/d /share/d/inside") == \
        "mv: /share/d/inside: invalid name or argument"
    assert sh.run("mv /boot/etc/version /share/v") == "mv: only within /share (/boot is read-only)"
    assert sh.run("cp /boot/nothing /share/x") == "cp: /boot/nothing: not found"
    assert sh.run("cp /boot/bin /share/x") == "cp: /boot/bin: is a directory"
    assert sh.run("cp /share/copy /share/copy") == "cp: /share/copy: invalid name or argument"
    assert sh.run("cat /share/copy") == sh.run("cat /boot/etc/version")  # not emptied
    assert sh.run("rm /share/d/g /share/d/version") == ""
    assert sh.run("rm /share/d") == ""
    assert sh.run("ls /share/d") == "ls: /share/d: no such file or directory"
    assert sh.run("rm /share/" + "n" * 255 + " /share/lines /share/copy") == ""
    assert re.fullmatch(r"  warm\s+\d+ bytes", sh.run("ls /share"))
    assert sh.run("echo alive") == "alive"
    assert free_pages(sh) == before
    sh.sendline("poweroff")
    sh.exited()
    assert "clean: 1 files, 1 directories" in assert_clean(disk)


def test_tasks_other_than_the_monitor_and_shell_are_refused(shell):
    out = shell.run("run /boot/test/fs-thief")
    assert "fs-thief: all refused" in out, out
    assert "echo:" not in shell.run("echo still > /share/here")  # the first use: mount lines
    assert shell.run("cat /share/here") == "still"


def test_no_disk_no_share(boot):
    sh = boot(initrd=TEST_BOOTFS, disk=None)
    sh.prompt(timeout=30)
    no_share = "no /share: the machine has no disk, or its file server stopped (see log)"
    assert sh.run("ls /share") == f"ls: {no_share}"
    assert sh.run("df") == f"df: {no_share}"
    assert sh.run("echo alive") == "alive"


def test_a_full_share_refuses_cp_and_recovers(boot, tmp_path):
    disk = make_disk(tmp_path / "host.img", 64)
    sh = boot_shell(boot, disk)
    assert sh.run("disk create share 5") == "created share"
    image = size_of(sh, IMAGE)
    assert "cp:" not in sh.run(f"cp {IMAGE} /share/a", timeout=60)
    out = sh.run(f"cp {IMAGE} /share/b", timeout=60)
    assert re.search(rf"cp: /share/b: no space left on /share after \d+ of {image} bytes", out), out
    assert re.search(r"/share\s+\d+\s+\d+\s+\d+\s+(9\d|100)%", sh.run("df"))
    assert sh.run("echo x > /share/small") in ("", "echo: /share/small: no space left on /share")
    assert size_of(sh, "/share/a") == image
    assert sh.run("rm /share/b /share/small") == ""
    assert sh.run("echo fits > /share/small") == "" and sh.run("cat /share/small") == "fits"
    assert sh.run("echo alive") == "alive"
    sh.sendline("poweroff")
    sh.exited()
    assert_clean(disk)


def test_share_persists_across_qemu_restarts(boot, tmp_path):
    disk = make_disk(tmp_path / "host.img", 64)
    sh = boot_shell(boot, disk)
    assert "making one" in sh.run("mkdir /share/keep")
    assert sh.run("echo kept across restarts > /share/keep/note") == ""
    assert sh.run(f"cp {IMAGE} /share/keep/Image", timeout=60) == ""
    image = size_of(sh, IMAGE)
    sh.close()  # no poweroff: whatever was answered is on the disk already
    assert_clean(disk)
    sh = boot_shell(boot, disk)
    assert sh.run("cat /share/keep/note") == "kept across restarts"
    assert size_of(sh, "/share/keep/Image") == image
    assert "already" not in sh.run("ls /share") and "making one" not in sh.output()
    assert sh.run("rm /share/keep/Image") == ""
    sh.sendline("poweroff")
    sh.exited()
    sh = boot_shell(boot, disk)
    assert sh.run("ls /share/keep") == "  note                     21 bytes"
    sh.close()
    assert_clean(disk)


def run_until(m, command, deadline):
    """Types command; True if its prompt came back before deadline (a time.monotonic())."""
    m.send(command + "\r")
    try:
        m.child.expect(PROMPT, timeout=max(deadline - time.monotonic(), 0.01))
        return True
    except pexpect.TIMEOUT:
        return False


def test_share_crash_cycles_leave_it_whole(boot, tmp_path):
    """QEMU killed at a random moment of a write loop, again and again on one disk: each time
    tools/fsck finds the file system clean, and what the shell saw done is there: every
    acknowledged line of the log, and every file renamed into place whole."""
    rng = random.Random(int(os.environ.get("VIREO_SEED", "14")))
    disk = make_disk(tmp_path / "host.img", 64)
    acknowledged = 0  # lines of /share/log the shell answered for
    image = None
    for cycle in range(soak(4)):  # 20 under `make soak`
        sh = boot_shell(boot, disk)
        if image is None:
            image = size_of(sh, IMAGE)
        # What the last cycle's acknowledgements promise.
        log = sh.run("cat /share/log").split("\n") if acknowledged else []
        log = [line for line in log if line.startswith("line ")]
        assert log[:acknowledged] == [f"line {i}" for i in range(acknowledged)], log
        assert len(log) <= acknowledged + 1, log
        acknowledged = len(log)
        for name in ("big0", "big1"):
            out = sh.run(f"ls /share/{name}")
            assert "no such file" in out or f"{image} bytes" in out, out
        deadline = time.monotonic() + rng.uniform(0.5, 4.0)
        i = 0
        while True:
            if not run_until(sh, f"cp {IMAGE} /share/tmp", deadline):
                break
            if not run_until(sh, f"mv /share/tmp /share/big{i % 2}", deadline):
                break
            if not run_until(sh, f"echo line {acknowledged} >> /share/log", deadline):
                break
            acknowledged += 1
            i += 1
        sh.child.kill(signal.SIGKILL)
        sh.child.close()
        status, out = fsck(disk)
        assert status == 0, f"cycle {cycle}, killed after {i} rounds:\n{out}"
    sh = boot_shell(boot, disk)
    assert sh.run("echo alive") == "alive"


def test_share_comes_back_when_its_server_is_killed(boot, tmp_path):
    sh = boot_shell(boot, make_disk(tmp_path / "host.img", 64))
    sh.run("echo before > /share/f")
    for _ in range(2):
        fs = number(r"^\s+(\d+)\s+fs\s", sh.run("ps"))
        assert f"killed task {fs}" in sh.run(f"kill {fs}")
        assert sh.run("cat /share/f") == "before"
    assert sh.run("echo after >> /share/f") == "" and sh.run("cat /share/f") == "before\nafter"
    assert re.search(r"^\s+\d+\s+fs\s", sh.run("ps"), re.M)


def test_damage_is_found_by_fsck_and_not_served(boot, tmp_path):
    disk = make_disk(tmp_path / "host.img", 64)
    sh = boot_shell(boot, disk)
    sh.run("echo x > /share/f")
    sh.sendline("poweroff")
    sh.exited()
    out = assert_clean(disk)
    volume = int(number(r"sectors (\d+) to", out)) * 512
    with open(disk, "r+b") as f:
        f.seek(volume + 4096)  # no journal (its last transaction is home: nothing lost)
        f.write(bytes(4096))
        f.seek(volume + 66 * 4096 + 200)  # a block marked in use that nothing uses
        f.write(b"\x01")
    status, out = fsck(disk)
    assert status == 1 and re.search(r"^block \d+: marked in use but unused$", out, re.M), out
    assert "1 problems" in out, out
    with open(disk, "r+b") as f:  # the superblock: its checksum no longer matches
        f.seek(volume + 20)
        f.write(b"\x07")
    status, out = fsck(disk)
    assert status == 1 and "superblock: the superblock's checksum is wrong" in out, out
    sh = boot_shell(boot, disk)
    assert sh.run("ls /share") == "[fs] fs: the volume share is not served: the superblock's " \
        "checksum is wrong (tools/fsck tells more)\nls: /share: input/output error (see log)"
    assert sh.run("echo y > /share/g") == "echo: /share/g: input/output error (see log)"
    assert sh.run("echo alive") == "alive"
    sh.close()
    with open(disk, "rb") as f:  # not made anew over what was there
        f.seek(volume + 20)
        assert f.read(1) == b"\x07"
