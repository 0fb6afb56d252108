"""Issue 14: the share (Vireo's file-system server) in the Linux guest over virtio-fs,
mounted by /init at /mnt/share; files written on either side are seen on the other."""
import re
import signal
import time

from conftest import TEST_BOOTFS, free_pages, make_disk
from test_linux import GUEST_PROMPT, boot_linux, guest, power_off
from test_share import fsck


def detach(shell):
    shell.send("\x1d")
    vm = shell.expect(r"\[detached from vm (\d+); 'vm attach \d+' goes back\]").group(1)
    shell.prompt()
    return vm


def attach(shell, vm):
    shell.send(f"vm attach {vm}\r")
    shell.send("echo attached\r")
    shell.expect(r"\nattached\r*\n")
    shell.expect("vireo:/# ")


def warm_share_pages(shell):
    """Free pages once a guest and the shell have used the share: the monitor's and the
    shell's sessions with the file-system server keep a buffer each from then on."""
    boot_linux(shell, "quiet")
    guest(shell, "echo warm > /mnt/share/warm && rm /mnt/share/warm")
    power_off(shell)
    shell.run("ls /share")
    return free_pages(shell)


def share_used_kib(shell):
    """What Vireo's df says /share uses."""
    out = shell.run("df")
    m = re.search(r"^\s+/share\s+\d+\s+(\d+)\s", out, re.M)
    assert m, out
    return int(m.group(1))


def inode_numbers(listing):
    """name -> inode number, from ls -ai."""
    return {name: int(ino) for ino, name in re.findall(r"(\d+)\s+(\S+)", listing)}


def test_dot_entries_and_files_used_after_unlink(shell):
    """READDIR gives "." and ".." with the directory's and its parent's inode numbers; a
    file unlinked while open stays readable and writable through its descriptors (POSIX),
    and its space comes back to Vireo's df once the last one is closed."""
    boot_linux(shell, "quiet")
    guest(shell, "mkdir -p /mnt/share/d/e && touch /mnt/share/d/f")
    got = inode_numbers(guest(shell, "ls -ai /mnt/share/d | cat"))
    assert set(got) == {".", "..", "e", "f"}, got
    for name, path in ((".", "/mnt/share/d"), ("..", "/mnt/share"), ("e", "/mnt/share/d/e")):
        assert got[name] == int(guest(shell, f"stat -c %i {path}")), (name, got)
    assert guest(shell, "ls -a /mnt/share/d/e | cat").split() == [".", ".."]
    assert guest(shell, "ls /mnt/share/d | cat").split() == ["e", "f"]
    vm = detach(shell)
    assert shell.run("ls /share/d") == "  e/\n  f                        0 bytes"
    used = share_used_kib(shell)
    attach(shell, vm)
    # Read through a descriptor opened before the rm; write through one opened before it.
    guest(shell, "dd if=/dev/urandom of=/mnt/share/f bs=1M count=8 2>/dev/null")
    want = guest(shell, "md5sum < /mnt/share/f").split()[0]
    guest(shell, "exec 3</mnt/share/f; rm /mnt/share/f")
    guest(shell, "exec 4<>/mnt/share/g; rm /mnt/share/g")
    guest(shell, "i=0; while [ $i -lt 100 ]; do echo line $i >&4; i=$((i+1)); done")
    assert "No such file" in guest(shell, "ls /mnt/share/f 2>&1")
    assert "No such file" in guest(shell, "ls /mnt/share/g 2>&1")
    assert guest(shell, "md5sum <&3").split()[0] == want
    assert guest(shell, "wc -l < /proc/self/fd/4").strip() == "100"
    assert guest(shell, "stat -L -c %h /proc/self/fd/3").strip() == "0"
    vm = detach(shell)
    assert "  f " not in shell.run("ls /share")
    assert share_used_kib(shell) >= used + 8 * 1024
    attach(shell, vm)
    guest(shell, "exec 3<&- 4>&-")
    vm = detach(shell)
    for _ in range(50):  # the guest's RELEASE may trail its close by a moment
        if share_used_kib(shell) == used:
            break
        time.sleep(0.1)
    assert share_used_kib(shell) == used
    attach(shell, vm)
    power_off(shell)
    assert shell.run("echo alive") == "alive"


def test_an_orphan_left_by_a_crash_is_freed_at_the_next_mount(boot, tmp_path):
    """QEMU killed while a guest holds an unlinked file open: tools/fsck accepts the orphan,
    and the next mount frees it, saying so."""
    disk = make_disk(tmp_path / "host.img", 64)
    shell = boot(initrd=TEST_BOOTFS, disk=disk)
    shell.prompt(timeout=30)
    used = share_used_kib(shell)
    boot_linux(shell, "quiet")
    guest(shell, "dd if=/dev/zero of=/mnt/share/f bs=1M count=4 2>/dev/null")
    guest(shell, "exec 3</mnt/share/f; rm /mnt/share/f && echo 'kept' > /mnt/share/note")
    shell.child.kill(signal.SIGKILL)
    shell.child.close()
    status, out = fsck(disk)
    assert status == 0 and "1 orphans (unlinked while open" in out, out
    shell = boot(initrd=TEST_BOOTFS, disk=disk)
    shell.prompt(timeout=30)
    assert "fs: freed 1 orphaned files" in shell.run("ls /share")
    assert share_used_kib(shell) == used + 8  # the note's block and the root's entries
    assert shell.run("cat /share/note") == "kept"
    shell.sendline("poweroff")
    shell.exited()
    status, out = fsck(disk)
    assert status == 0 and "orphans" not in out, out


def vi(shell, path, keys):
    """busybox vi on path, typed into as a person would: keys, then Escape and :wq."""
    shell.send(f"vi {path}\r")
    shell.expect(r"\x1b\[K- " + re.escape(path), timeout=30)  # its status line: it reads keys
    for key in keys:
        shell.send(key)
        time.sleep(0.05)
    shell.send("\x1b")
    time.sleep(0.5)  # an Escape alone, not the start of a key's sequence
    shell.send(":wq\r")
    shell.expect(GUEST_PROMPT, timeout=30)


def test_vi_edits_a_file_on_the_share(shell):
    """A new file written with vi, then a line added to it, then its first word changed: the
    guest and Vireo's shell both see each version."""
    boot_linux(shell, "quiet")
    vi(shell, "/mnt/share/notes.txt", ["i", "hello from vi"])
    assert guest(shell, "cat /mnt/share/notes.txt") == "hello from vi\n"
    vi(shell, "/mnt/share/notes.txt", ["G", "o", "a second line"])
    vi(shell, "/mnt/share/notes.txt", ["g", "g", "c", "w", "goodbye"])
    assert guest(shell, "cat /mnt/share/notes.txt") == "goodbye from vi\na second line\n"
    assert guest(shell, "ls /mnt/share | cat").split() == ["notes.txt"]  # no temp file left
    vm = detach(shell)
    assert shell.run("cat /share/notes.txt") == "goodbye from vi\na second line"
    shell.run("echo edited by vireo >> /share/notes.txt")
    attach(shell, vm)
    vi(shell, "/mnt/share/notes.txt", ["G", "d", "d"])
    assert guest(shell, "cat /mnt/share/notes.txt") == "goodbye from vi\na second line\n"
    power_off(shell)
    assert shell.run("cat /share/notes.txt") == "goodbye from vi\na second line"


def test_what_a_user_meets_on_the_share(shell):
    """Truncation by `: > f`, sizes across after close both ways, modes and times that
    outlive the guest, and what the share does not have (symlinks, hard links): a clear
    error, and tar and the share run on."""
    boot_linux(shell, "quiet")
    guest(shell, "seq 1 1000 > /mnt/share/t && : > /mnt/share/t")
    assert guest(shell, "wc -c < /mnt/share/t").strip() == "0"
    guest(shell, "echo twelve bytes > /mnt/share/t; chmod 640 /mnt/share/t")
    vm = detach(shell)
    assert re.search(r"^  t\s+13 bytes$", shell.run("ls /share"), re.M)
    shell.run("echo more >> /share/t")
    attach(shell, vm)
    assert guest(shell, "wc -c < /mnt/share/t").strip() == "18"
    guest(shell, "touch -d '2021-06-07 08:09:10' /mnt/share/t")
    # Links the share does not have: refused in one line each, nothing left behind.
    out = guest(shell, "ln -s t /mnt/share/link; echo rc=$?")
    assert "Function not implemented" in out and "rc=1" in out, out
    out = guest(shell, "ln /mnt/share/t /mnt/share/hard; echo rc=$?")
    assert "Operation not permitted" in out and "rc=1" in out, out  # Linux's word for ENOSYS
    guest(shell, "mkdir -p /tmp/tree/sub && echo a > /tmp/tree/sub/a && ln -s sub/a /tmp/tree/l")
    guest(shell, "tar cf /mnt/share/tree.tar -C /tmp tree")
    out = guest(shell, "cd /mnt/share && tar xf tree.tar; echo rc=$?; cd /")
    # busybox tar stops at the first entry it cannot make; the rest extracts.
    assert "can't create symlink 'tree/l' to 'sub/a': Function not implemented" in out, out
    assert "rc=1" in out, out
    guest(shell, "cd /mnt/share && tar xf tree.tar tree/sub; cd /")
    assert guest(shell, "cat /mnt/share/tree/sub/a") == "a\n"
    assert guest(shell, "ls /mnt/share | cat").split() == ["t", "tree", "tree.tar"]
    power_off(shell)
    boot_linux(shell, "quiet")
    assert guest(shell, "stat -c '%a %s' /mnt/share/t").strip() == "640 18"
    assert guest(shell, "date -r /mnt/share/t +%Y-%m-%d").strip() == "2021-06-07"
    power_off(shell)
    assert shell.run("echo alive") == "alive"


def test_share_both_ways(shell):
    before = warm_share_pages(shell)
    boot_linux(shell)
    mounts = guest(shell, "grep share /proc/mounts")
    assert re.match(r"share /mnt/share virtiofs ", mounts), mounts
    bdi = guest(shell, "grep ' /mnt/share ' /proc/self/mountinfo | cut -d' ' -f3").strip()
    assert guest(shell, f"cat /sys/class/bdi/{bdi}/read_ahead_kb").strip() == "512"  # /init
    # Guest to Vireo: a file, a directory, a rename, sizes.
    guest(shell, "echo written by linux > /mnt/share/from-linux.txt")
    guest(shell, "mkdir /mnt/share/dir && seq 1 2000 > /mnt/share/dir/numbers")
    guest(shell, "mv /mnt/share/dir/numbers /mnt/share/dir/renamed")
    assert guest(shell, "wc -c < /mnt/share/dir/renamed").strip() == "8893"
    assert guest(shell, "ls /mnt/share/dir | cat").split() == ["renamed"]
    vm = detach(shell)
    assert shell.run("cat /share/from-linux.txt") == "written by linux"
    listing = shell.run("ls /share/dir")
    assert "renamed" in listing and "numbers" not in listing, listing
    # Vireo to guest.
    shell.run("echo written by vireo > /share/from-vireo.txt")
    shell.run("mkdir /share/vdir")
    attach(shell, vm)
    assert guest(shell, "cat /mnt/share/from-vireo.txt").strip() == "written by vireo"
    assert "vdir" in guest(shell, "ls /mnt/share | cat").split()
    # Unlinks, truncation, modes, times, statfs.
    guest(shell, "rm /mnt/share/from-vireo.txt && rmdir /mnt/share/vdir")
    guest(shell, "truncate -s 3 /mnt/share/from-linux.txt")
    assert guest(shell, "cat /mnt/share/from-linux.txt") == "wri"
    guest(shell, "chmod 600 /mnt/share/from-linux.txt")
    assert guest(shell, "stat -c %a /mnt/share/from-linux.txt").strip() == "600"
    guest(shell, "touch -d '2020-01-02 03:04:05' /mnt/share/from-linux.txt")
    assert guest(shell, "date -r /mnt/share/from-linux.txt +%Y").strip() == "2020"
    assert re.search(r"share\s+\d+\s+\d+\s+\d+", guest(shell, "df /mnt/share"))
    # Hostile names from the guest's side are refused by its own VFS or by the parser;
    # the share and the guest run on.
    out = guest(shell, "touch /mnt/share/$(printf 'x%.0s' $(seq 1 256)) 2>&1; echo rc=$?")
    assert "rc=1" in out, out
    assert guest(shell, "ls /mnt/share | wc -l").strip() == "2"
    power_off(shell)
    assert "from-vireo.txt" not in shell.run("ls /share")
    assert free_pages(shell) == before


def test_hostile_fuse_requests_from_a_guest(shell):
    """guest/tests/virtio-fs.c sends the FUSE requests a broken or hostile driver could: each
    gets its error reply, one without room for a reply breaks the device until a reset,
    and the monitor, the share and the shell run on."""
    from test_hypervisor import assert_all_passed, run_guest
    shell.run("echo kept > /share/kept")
    run_guest(shell, "/boot/guest/hello.elf")
    before = free_pages(shell)
    out, end = run_guest(shell, "/boot/guest/virtio-fs.elf")
    assert_all_passed(out, end)
    assert re.search(r"\[vm \d+ \(virtio-fs\.elf\): virtio-fs: FUSE: no room for a reply "
                     r"header; the device needs a reset\]", out), out
    assert shell.run("cat /share/kept") == "kept"
    assert shell.run("echo shell ok") == "shell ok"
    assert free_pages(shell) == before


def test_guests_in_turn_tools_and_a_reboot(shell):
    """One guest's files are the next guest's; cp -r, tar, find and du work on the share; a
    file of a few MiB goes in and out with the same checksum; the files are there after a
    guest reboots."""
    boot_linux(shell, "quiet")
    guest(shell, "cp -r /etc /mnt/share/etc-copy")
    guest(shell, "cd / && tar cf /mnt/share/etc.tar etc")
    guest(shell, "dd if=/dev/urandom of=/tmp/big bs=1M count=6 2>/dev/null")
    guest(shell, "cp /tmp/big /mnt/share/big")
    sums = guest(shell, "md5sum /tmp/big /mnt/share/big").split()
    assert sums[0] == sums[2], sums
    power_off(shell)
    boot_linux(shell, "quiet")
    assert guest(shell, "md5sum < /mnt/share/big").split()[0] == sums[0]
    guest(shell, "cp /mnt/share/big /tmp/back")
    assert guest(shell, "md5sum < /tmp/back").split()[0] == sums[0]
    found = guest(shell, "find /mnt/share/etc-copy -type f | sort")
    assert "/mnt/share/etc-copy/passwd" in found and "/mnt/share/etc-copy/profile" in found
    assert guest(shell, "cmp /etc/passwd /mnt/share/etc-copy/passwd && echo same") == "same\n"
    assert int(guest(shell, "du -s /mnt/share | cut -f1")) >= 6 * 1024
    guest(shell, "mkdir /tmp/x && cd /tmp/x && tar xf /mnt/share/etc.tar; cd /")
    assert guest(shell, "cmp /tmp/x/etc/profile /etc/profile && echo same") == "same\n"
    guest(shell, "echo before the reboot > /mnt/share/note")
    shell.send("reboot\r")
    shell.expect(r"rebooting\]", timeout=60)
    shell.expect("vireo:/# ", timeout=120)
    assert guest(shell, "cat /mnt/share/note") == "before the reboot\n"
    assert guest(shell, "md5sum < /mnt/share/big").split()[0] == sums[0]
    power_off(shell)
    assert shell.run("cat /share/note") == "before the reboot"


def boot_two(shell):
    vms = []
    for _ in range(2):
        boot_linux(shell, "quiet")
        vms.append(detach(shell))
    return vms


def power_off_each(shell, vms):
    for vm in vms:
        attach(shell, vm)
        power_off(shell)


def test_two_guests_at_once_see_each_others_changes(shell):
    """Both guests have the share mounted at once; what one changes, the other sees at once
    (the monitor gives every entry and attribute a cache timeout of 0)."""
    # A first pair warms the pages: the second guest at once leaves the monitor a page it
    # keeps for the next pairs (three rounds in a row end at the same count).
    pair = boot_two(shell)
    for vm in pair:
        shell.run(f"vm exec {vm} ls /mnt/share", timeout=30)
    power_off_each(shell, pair)
    shell.run("ls /share")
    before = free_pages(shell)
    left, right = boot_two(shell)

    def on(vm, command):
        return shell.run(f"vm exec {vm} {command}", timeout=30)

    on(left, "echo one > /mnt/share/note")
    assert on(right, "cat /mnt/share/note") == "one"
    on(right, "echo two >> /mnt/share/note")
    assert on(left, "cat /mnt/share/note").split() == ["one", "two"]
    on(left, "mv /mnt/share/note /mnt/share/moved")
    assert on(right, "ls /mnt/share") == "moved"
    assert on(right, "cat /mnt/share/moved").split() == ["one", "two"]
    on(right, "mkdir /mnt/share/dir && seq 1 1000 > /mnt/share/dir/numbers")
    assert on(left, "wc -c < /mnt/share/dir/numbers") == "3893"
    on(left, "rm /mnt/share/moved")
    out = on(right, "cat /mnt/share/moved")
    assert "No such file or directory" in out and "exit status 1" in out, out
    on(right, "rm -r /mnt/share/dir")
    assert on(left, "ls /mnt/share | wc -l") == "0"
    # Both power off cleanly, and every page comes back.
    power_off_each(shell, (left, right))
    assert shell.run("ls /share") == ""
    assert free_pages(shell) == before


def test_fifty_mib_in_and_out(boot, tmp_path):
    """The share is a quarter of the free disk: 512 MiB makes it 128 MiB, room for 50."""
    shell = boot(initrd=TEST_BOOTFS, disk=make_disk(tmp_path / "big.img", 512))
    shell.prompt(timeout=30)
    boot_linux(shell, "quiet")
    guest(shell, "dd if=/dev/urandom of=/tmp/big bs=1M count=50 2>/dev/null", timeout=120)
    want = guest(shell, "md5sum < /tmp/big").split()[0]
    guest(shell, "cp /tmp/big /mnt/share/big && rm /tmp/big", timeout=300)
    guest(shell, "echo 3 > /proc/sys/vm/drop_caches")
    assert guest(shell, "wc -c < /mnt/share/big").strip() == str(50 << 20)
    guest(shell, "cp /mnt/share/big /tmp/back", timeout=300)
    assert guest(shell, "md5sum < /tmp/back").split()[0] == want
    power_off(shell)
    assert "big" in shell.run("ls /share")
    assert shell.run("echo alive") == "alive"
