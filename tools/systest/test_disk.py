"""Issue 12, the disk: the host disk (QEMU's virtio-blk, Vireo's driver and block server),
volumes at the shell, and a Linux guest's /dev/vda on one, kept across guest reboots and
QEMU restarts. Each test has its own disk image (conftest.make_disk), never the user's."""
import re

from conftest import TEST_BOOTFS, free_pages, make_disk
from test_linux import GUEST_PROMPT, boot_linux, guest, power_off


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
    guest(shell, "dd if=/dev/urandom of=/tmp/in bs=1M count=64 2>/dev/null")
    want = guest(shell, "md5sum < /tmp/in").split()[0]
    guest(shell, "dd if=/tmp/in of=/dev/vda bs=1M 2>/dev/null && sync && rm /tmp/in", timeout=120)
    guest(shell, "echo 3 > /proc/sys/vm/drop_caches")
    got = guest(shell, "dd if=/dev/vda bs=1M count=64 2>/dev/null | md5sum", timeout=120)
    assert got.split()[0] == want, (got, want)
    power_off(shell)


def test_two_guests_see_only_their_own_volumes(boot, tmp_path):
    """One after the other: a second Linux guest booted while another is detached does not
    reach its prompt today, with or without disks (a scheduling problem outside the disk
    path), so the two guests take turns here."""
    shell = boot_shell(boot, make_disk(tmp_path / "host.img", 64))
    for name in ("left", "right"):
        boot_linux(shell, f"disk={name} size=8")
        guest(shell, f"echo {name}-marker | dd of=/dev/vda conv=fsync 2>/dev/null")
        power_off(shell)
    for name, other in (("left", "right"), ("right", "left")):
        boot_linux(shell, f"disk={name}")
        seen = guest(shell, "dd if=/dev/vda bs=8M count=1 2>/dev/null | grep -a marker")
        assert f"{name}-marker" in seen and f"{other}-marker" not in seen, seen
        assert "8192 vda" in guest(shell, "cat /proc/partitions")
        power_off(shell)
    assert re.search(r"left\s+8 MiB free", shell.run("disk list"))


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
