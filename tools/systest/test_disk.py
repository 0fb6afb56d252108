"""Issue 12, the disk: the host disk (QEMU's virtio-blk, Vireo's driver and block server),
volumes at the shell, and a Linux guest's /dev/vda on one, kept across guest reboots and
QEMU restarts. Each test has its own disk image (conftest.make_disk), never the user's."""
import hashlib
import os
import random
import re
import signal
import time

import pexpect

from conftest import TEST_BOOTFS, free_pages, make_disk
from test_linux import BOOT_TIMEOUT, GUEST_PROMPT, boot_linux, guest, power_off
from test_vfs import attach, detach
from volumes import extract_volume, fsck_volume, make_ext4


def boot_shell(boot, disk):
    m = boot(initrd=TEST_BOOTFS, disk=disk)
    m.prompt(timeout=30)
    return m


def test_disk_commands_manage_volumes_and_refuse_bad_ones(boot, tmp_path):
    disk = make_disk(tmp_path / "host.img", 64)
    shell = boot_shell(boot, disk)
    assert "disk: 64 MiB, 0 MiB in volumes" in shell.run("disk list")
    assert shell.run("disk create alpha 8") == "created alpha"
    assert "exists" in shell.run("disk create alpha 8")
    assert "name is 1 to 15" in shell.run("disk create a/b 8")
    assert "name is 1 to 15" in shell.run("disk create abcdefghijklmnopq 8")
    assert "not enough free space" in shell.run("disk create huge 63")
    assert "size must be at least 1 MiB" in shell.run("disk create huge 100000")
    assert "number of MiB" in shell.run("disk create zero 0")
    assert "no such volume" in shell.run("disk delete nothing")
    listing = shell.run("disk list")
    assert re.search(r"alpha\s+8 MiB free", listing), listing
    assert "8 MiB in volumes" in listing
    shell.close()
    # The table is on the disk: a new QEMU finds the volume, and can delete it.
    shell = boot_shell(boot, disk)
    assert re.search(r"alpha\s+8 MiB", shell.run("disk list"))
    assert shell.run("disk delete alpha") == "deleted alpha"
    assert "0 MiB in volumes" in shell.run("disk list")


def test_no_disk_is_said_plainly(boot):
    shell = boot_shell(boot, None)
    assert "this machine has no disk" in shell.run("disk list")
    out = shell.run("linux disk=x size=8")
    assert "no disks: the machine has none" in out, out
    assert "Vireo shell" not in shell.run("echo alive") and shell.run("echo alive") == "alive"


def test_ext2_survives_guest_reboot_and_qemu_restart(boot, tmp_path):
    disk = make_disk(tmp_path / "host.img", 128)
    shell = boot_shell(boot, disk)
    boot_linux(shell, "disk=data size=32")
    assert re.search(r"254\s+0\s+32768 vda", guest(shell, "cat /proc/partitions"))
    guest(shell, "mkfs.ext2 -q /dev/vda", timeout=120)
    guest(shell, "mount /dev/vda /mnt && echo kept > /mnt/note && "
                 "dd if=/dev/urandom of=/mnt/blob bs=64k count=64 2>/dev/null && sync")
    sums = guest(shell, "md5sum /mnt/blob")
    guest(shell, "umount /mnt")
    power_off(shell)
    assert re.search(r"data\s+32 MiB free", shell.run("disk list"))
    # Another volume, another guest: a fresh volume shows nothing of the other.
    boot_linux(shell, "disk=other size=32")
    assert "mount: mounting /dev/vda" in guest(shell, "mount /dev/vda /mnt 2>&1")
    assert guest(shell, "dd if=/dev/vda bs=1M count=32 2>/dev/null | tr -d '\\000' | wc -c") \
        .strip() == "0"
    power_off(shell)
    shell.close()
    # A new QEMU on the same image: the files are there.
    shell = boot_shell(boot, disk)
    boot_linux(shell, "disk=data")
    guest(shell, "mount /dev/vda /mnt")
    assert guest(shell, "cat /mnt/note").strip() == "kept"
    assert guest(shell, "md5sum /mnt/blob") == sums
    guest(shell, "umount /mnt")
    power_off(shell)
    assert "alive" in shell.run("echo alive")


def test_a_volume_in_use_is_not_given_twice_nor_deleted(boot, tmp_path):
    shell = boot_shell(boot, make_disk(tmp_path / "host.img", 64))
    boot_linux(shell, "disk=one size=16")
    shell.send("\x1d")
    shell.prompt()
    assert "in use by a guest" in shell.run("disk delete one")
    assert re.search(r"one\s+16 MiB in use", shell.run("disk list"))
    out = shell.run("linux disk=one")
    assert "the volume is in use by another guest" in out, out
    out = shell.run("linux disk=missing")
    assert "no such volume" in out, out
    vm = re.search(r"^\s*(\d+)\s+Image", shell.run("vm list"), re.M).group(1)
    shell.run(f"vm kill {vm}")
    assert re.search(r"one\s+16 MiB free", shell.run("disk list"))
    # The session went with the guest: the volume opens again, and every page comes back
    # (the monitor's mapping of the block server's buffer stays from the first open).
    before = free_pages(shell)
    boot_linux(shell, "disk=one")
    power_off(shell)
    assert free_pages(shell) == before
    assert shell.run("disk delete one") == "deleted one"


def test_dd_64_mib_to_and_from_the_disk_matches(boot, tmp_path):
    shell = boot_shell(boot, make_disk(tmp_path / "host.img", 128))
    boot_linux(shell, "disk=bulk size=80")
    guest(shell, "dd if=/dev/urandom of=/tmp/in bs=1M count=64 2>/dev/null", timeout=120)
    want = guest(shell, "md5sum < /tmp/in", timeout=60).split()[0]
    guest(shell, "dd if=/tmp/in of=/dev/vda bs=1M 2>/dev/null && sync && rm /tmp/in", timeout=120)
    guest(shell, "echo 3 > /proc/sys/vm/drop_caches")
    got = guest(shell, "dd if=/dev/vda bs=1M count=64 2>/dev/null | md5sum", timeout=120)
    assert got.split()[0] == want, (got, want)
    power_off(shell)


def test_two_guests_see_only_their_own_volumes(boot, tmp_path):
    """Both running at once, each writes its marker to its own volume and reads back only
    its own; after both power off, each volume is still only its own guest's."""
    shell = boot_shell(boot, make_disk(tmp_path / "host.img", 64))
    vms = {}
    for name in ("left", "right"):
        boot_linux(shell, f"disk={name} size=8")
        guest(shell, f"echo {name}-marker | dd of=/dev/vda conv=fsync 2>/dev/null")
        vms[name] = detach(shell)
    for name, other in (("left", "right"), ("right", "left")):
        attach(shell, vms[name])
        guest(shell, "echo 3 > /proc/sys/vm/drop_caches")
        # grep takes half a minute of a busy host over 8 MiB that is one line of zeros.
        seen = guest(shell, "dd if=/dev/vda bs=8M count=1 2>/dev/null | grep -a marker",
                     timeout=120)
        assert f"{name}-marker" in seen and f"{other}-marker" not in seen, seen
        assert "8192 vda" in guest(shell, "cat /proc/partitions")
        detach(shell)
    assert re.search(r"left\s+8 MiB in use", shell.run("disk list"))
    for name in ("left", "right"):
        attach(shell, vms[name])
        power_off(shell)
    assert re.search(r"left\s+8 MiB free", shell.run("disk list"))
    assert re.search(r"right\s+8 MiB free", shell.run("disk list"))


def test_other_tasks_get_nothing_of_the_disk(boot, tmp_path):
    shell = boot_shell(boot, make_disk(tmp_path / "host.img", 64))
    assert shell.run("disk create secret 4") == "created secret"
    out = shell.run("run /boot/test/disk-thief")
    assert "disk-thief: all refused" in out, out
    assert "WRONG" not in out, out
    # The services run on: the volume is there and a guest can have it.
    assert re.search(r"secret\s+4 MiB free", shell.run("disk list"))
    boot_linux(shell, "disk=secret")
    assert "4096 vda" in guest(shell, "cat /proc/partitions")
    power_off(shell)


def test_grants_are_checked_and_pinned_by_no_other_task(boot, tmp_path):
    """A task misuses grants (tools/systest/programs/grant-thief.c): each misuse is refused,
    the pages come back when it ends, and the disk serves a guest after."""
    shell = boot_shell(boot, make_disk(tmp_path / "host.img", 64))
    # The first run leaves the kernel's allocator a page of each size it used; the second
    # must give back every page.
    for run in range(2):
        before = free_pages(shell)
        out = shell.run("run /boot/test/grant-thief")
        assert "grant-thief: all refused" in out, out
        assert "WRONG" not in out, out
    assert free_pages(shell) == before
    boot_linux(shell, "disk=after size=4")
    guest(shell, "echo kept | dd of=/dev/vda oflag=direct bs=512 conv=sync 2>/dev/null")
    assert "kept" in guest(shell, "dd if=/dev/vda bs=512 count=1 iflag=direct 2>/dev/null")
    power_off(shell)


def digest(text):
    """The sha256 in a command's output, which a kernel message may share."""
    m = re.search(r"\b[0-9a-f]{64}\b", text)
    assert m, text
    return m.group(0)


def ext4_volume(boot, tmp_path, name, mib):
    """A disk image with the volume name made by Vireo's shell, then given an ext4 file
    system on the host (busybox has no mkfs.ext4). Returns the image's path."""
    disk = make_disk(tmp_path / "host.img", 2 * mib)
    shell = boot_shell(boot, disk)
    assert shell.run(f"disk create {name} {mib}") == f"created {name}"
    shell.close()
    make_ext4(disk, name, tmp_path / "mkfs.img")
    return disk


def test_ext4_survives_guest_reboot_and_qemu_restart(boot, tmp_path):
    disk = ext4_volume(boot, tmp_path, "journal", 48)
    shell = boot_shell(boot, disk)
    boot_linux(shell, "disk=journal")
    guest(shell, "mount -t ext4 /dev/vda /mnt && echo kept > /mnt/note && "
                 "dd if=/dev/urandom of=/mnt/blob bs=64k count=128 2>/dev/null && sync")
    assert re.search(r"^/dev/vda /mnt ext4 rw", guest(shell, "cat /proc/mounts"), re.M)
    sums = digest(guest(shell, "sha256sum /mnt/blob"))
    # A reboot from inside, mounted: what sync wrote is there, the journal replays, and the
    # monitor's devices were made afresh for the new VM.
    shell.send("reboot\r")
    shell.expect(r"rebooting\]", timeout=60)
    shell.expect(GUEST_PROMPT, timeout=BOOT_TIMEOUT)
    guest(shell, "mount -t ext4 /dev/vda /mnt")
    assert guest(shell, "cat /mnt/note").strip() == "kept"
    assert digest(guest(shell, "sha256sum /mnt/blob")) == sums
    guest(shell, "echo again >> /mnt/note && umount /mnt")
    power_off(shell)
    shell.close()
    clean, said = fsck_volume(disk, "journal", tmp_path / "check.img")
    assert clean, said
    # A new QEMU on the same image.
    shell = boot_shell(boot, disk)
    boot_linux(shell, "disk=journal")
    guest(shell, "mount -t ext4 /dev/vda /mnt")
    assert guest(shell, "cat /mnt/note").split() == ["kept", "again"]
    assert digest(guest(shell, "sha256sum /mnt/blob")) == sums
    guest(shell, "umount /mnt")
    power_off(shell)
    assert shell.run("echo alive") == "alive"


def test_direct_dd_reaches_the_host_image_and_hvstat_counts_it(boot, tmp_path):
    disk = make_disk(tmp_path / "host.img", 128)
    shell = boot_shell(boot, disk)
    boot_linux(shell, "disk=bulk size=80")
    # Linux took the ring features virtio-blk offers: indirect descriptors (bit 28) and
    # event-idx (bit 29), so the transport's handling of both is what moved the data.
    features = guest(shell, "for d in /sys/bus/virtio/devices/*; do "
                            "echo $(cat $d/device) $(cat $d/features); done")
    blk = re.search(r"^0x0002 ([01]{64})$", features, re.M)
    assert blk and blk.group(1)[28] == "1" and blk.group(1)[29] == "1", features
    guest(shell, "dd if=/dev/urandom of=/tmp/in bs=1M count=64 2>/dev/null")
    want = digest(guest(shell, "sha256sum < /tmp/in"))
    guest(shell, "dd if=/tmp/in of=/dev/vda bs=1M oflag=direct 2>/dev/null && rm /tmp/in",
          timeout=120)
    got = digest(guest(shell, "dd if=/dev/vda bs=1M count=64 iflag=direct 2>/dev/null | "
                              "sha256sum", timeout=120))
    assert got == want, (got, want)
    shell.send("\x1d")
    shell.prompt()
    stats = shell.run("hvstat")
    line = re.search(r"^vm \d+ \(Image\) virtio-blk: (\d+) requests, (\d+) bytes, "
                     r"(\d+) notifications, (\d+) interrupts, (\d+) errors$", stats, re.M)
    assert line, stats
    requests, moved, kicks, interrupts, errors = map(int, line.groups())
    assert moved >= 128 << 20 and requests >= 128 and errors == 0, stats
    assert 0 < kicks <= requests and 0 < interrupts <= requests, stats
    assert re.search(r"^vm \d+ \(Image\) virtio-rng: [1-9]\d* requests", stats, re.M), stats
    vm = re.search(r"^\s*(\d+)\s+Image", shell.run("vm list"), re.M).group(1)
    shell.run(f"vm kill {vm}")
    shell.close()
    # The bytes are the volume's first 64 MiB in the image, as the guest wrote them.
    volume = extract_volume(disk, "bulk", tmp_path / "bulk.img")
    with open(volume, "rb") as f:
        assert hashlib.sha256(f.read(64 << 20)).hexdigest() == want


# Writes and deletes in a loop, each file synced: data, metadata and journal commits, all
# the time. The guest's shell keeps the loop running in the background.
WRITER = ("i=0; while :; do dd if=/dev/urandom of=/mnt/f$((i%16)) bs=4k count=$((i%64+1)) "
          "conv=fsync 2>/dev/null; mkdir -p /mnt/d$((i%7)); echo $i > /mnt/d$((i%7))/n$i; "
          "rm -f /mnt/d$(((i+3)%7))/n$((i-20)); i=$((i+1)); done &")


def test_ext4_is_clean_after_qemu_dies_during_writes(boot, tmp_path):
    """QEMU killed (SIGKILL, no warning to anyone) at random points while the guest writes;
    after each, the host's e2fsck finds the volume clean once its journal is replayed.
    Ten kills take under a minute; VIREO_CRASH_SEED replays a sequence."""
    seed = int(os.environ.get("VIREO_CRASH_SEED", str(int(time.time()))))
    rng = random.Random(seed)
    print(f"crash seed {seed} (VIREO_CRASH_SEED={seed} replays it)")
    disk = ext4_volume(boot, tmp_path, "crash", 32)
    replays = 0
    for n in range(10):
        shell = boot_shell(boot, disk)
        boot_linux(shell, "disk=crash")
        guest(shell, "mount -t ext4 /dev/vda /mnt")
        shell.send(WRITER + "\r")
        shell.expect(GUEST_PROMPT)
        delay = rng.uniform(0.5, 4.0)
        print(f"round {n}: QEMU killed {delay:.2f} s into the writes")
        time.sleep(delay)
        os.kill(shell.child.pid, signal.SIGKILL)
        shell.child.expect(pexpect.EOF, timeout=10)
        shell.close()
        clean, said = fsck_volume(disk, "crash", tmp_path / "check.img")
        assert clean, f"seed {seed}, round {n}, killed after {delay:.2f} s:\n{said}"
        replays += "recovering journal" in said
    # The kills came mid-transaction, not after the writer had stopped: most left a journal
    # to replay.
    assert replays >= 5, replays
    # The volume still mounts, and the writer got somewhere.
    shell = boot_shell(boot, disk)
    boot_linux(shell, "disk=crash")
    guest(shell, "mount -t ext4 /dev/vda /mnt")
    assert guest(shell, "test -s /mnt/f15 && echo written").strip() == "written"
    guest(shell, "umount /mnt")
    power_off(shell)


def test_hostile_rings_break_only_the_device(boot, tmp_path):
    """guest/tests/blk-hostile.c programs the virtio-blk device with broken rings from
    inside a VM while a Linux guest works on its own volume; the monitor, the block server,
    the shell and the Linux guest go on, with the Linux guest's data intact."""
    shell = boot_shell(boot, make_disk(tmp_path / "host.img", 64))
    boot_linux(shell, "quiet disk=kept size=8")
    guest(shell, "dd if=/dev/urandom of=/tmp/data bs=1M count=4 2>/dev/null")
    want = guest(shell, "md5sum < /tmp/data").split()[0]
    # It keeps its disk busy in the background: the same 4 MiB written, synced, read back
    # past its cache and summed, over and over.
    guest(shell, "while :; do dd if=/tmp/data of=/dev/vda bs=1M conv=fsync 2>/dev/null; "
                 "dd if=/dev/vda bs=1M count=4 iflag=direct 2>/dev/null | md5sum >> /tmp/sums; "
                 "done &")
    linux = detach(shell)
    runs = []
    for _ in range(2):
        shell.send("vm run /boot/guest/blk-hostile.elf disk=hostile size=1\r")
        shell.expect(r"\[vm \d+ \(blk-hostile\.elf\): powered off, reason (\d+)\]", timeout=60)
        runs.append((shell.prompt(), free_pages(shell)))
    out = shell.output()
    assert "FAIL" not in out and re.search(r"DONE: [1-9]\d* passed, 0 failed", out), out
    # The second run gave back every page, but for the grants of the Linux guest's batches
    # in flight as `mem` counts (a page each, at most five: virtio_blk.c BLK_IN_FLIGHT + 1).
    assert abs(runs[0][1] - runs[1][1]) <= 5, runs
    warned = r"\[vm \d+ \(blk-hostile\.elf\): virtio-blk: "
    for line in (r"descriptor 1 outside guest RAM; the device needs a reset",
                 r"chain from descriptor 0 longer than the queue \(a loop\); the device",
                 r"available index \d+ more than a queue ahead; the device needs a reset",
                 r"descriptor 0 is indirect, a feature not negotiated; the device",
                 r"descriptor 0: an indirect table not 16 to 8192 bytes",
                 r"indirect descriptor 2 is indirect again \(nesting\)",
                 r"descriptor 0: an indirect table outside guest RAM",
                 r"sectors past the end of the disk"):
        assert re.search(warned + line, out), (line, out)
    assert re.search(r"hostile\s+1 MiB free", shell.run("disk list"))
    # The Linux guest ran on beside it: it answers, and its volume reads back as written.
    attach(shell, linux)
    rounds = int(guest(shell, "wc -l < /tmp/sums"))
    # A round takes a second or two on a busy host: up to 20 s for the next one.
    guest(shell, f"for i in $(seq 20); do [ $(wc -l < /tmp/sums) -gt {rounds} ] && break; "
                 "sleep 1; done; kill %1; wait", timeout=60)
    assert int(guest(shell, "wc -l < /tmp/sums")) > rounds
    sums = guest(shell, "sort -u /tmp/sums").split()
    assert sums == [want, "-"], (sums, want)
    power_off(shell)
    boot_linux(shell, "disk=hostile")
    assert re.search(r"\s1024 vda", guest(shell, "cat /proc/partitions"))
    power_off(shell)
    assert shell.run("echo alive") == "alive"
