"""The host's view of a Vireo disk image: the block server's volume table at its start
(servers/block/volumes.h), a volume's bytes copied out or in, and e2fsck of a volume.
Run only while no QEMU has the image open."""
import os
import shutil
import struct
import subprocess

SECTOR = 512
HEADER = struct.Struct("<8sIIQQ")  # magic, version, max, disk_sectors, reserved
ENTRY = struct.Struct("<16sQQ")    # name, start, sectors
MAGIC = b"VIREOVOL"
E2FSCK = shutil.which("e2fsck") or "/usr/sbin/e2fsck"
MKFS_EXT4 = shutil.which("mkfs.ext4") or "/usr/sbin/mkfs.ext4"


def volume_range(disk, name):
    """(byte offset, byte length) of the volume called name on disk."""
    with open(disk, "rb") as f:
        table = f.read(8 * SECTOR)
    magic, version, count, _, _ = HEADER.unpack_from(table)
    assert magic == MAGIC and version == 1, f"no volume table on {disk}"
    for i in range(count):
        raw, start, sectors = ENTRY.unpack_from(table, HEADER.size + i * ENTRY.size)
        if raw.split(b"\0")[0].decode() == name:
            return start * SECTOR, sectors * SECTOR
    raise AssertionError(f"no volume {name} on {disk}")


def extract_volume(disk, name, dest):
    """Copies the volume's bytes to the file dest; returns dest."""
    offset, length = volume_range(disk, name)
    with open(disk, "rb") as src, open(dest, "wb") as out:
        src.seek(offset)
        for _ in range(0, length, 1 << 20):
            out.write(src.read(min(1 << 20, length - out.tell())))
    assert os.path.getsize(dest) == length
    return str(dest)


def write_volume(disk, name, src):
    """Writes the file src, at most the volume's length, over the volume's start."""
    offset, length = volume_range(disk, name)
    assert os.path.getsize(src) <= length
    with open(src, "rb") as f, open(disk, "r+b") as out:
        out.seek(offset)
        shutil.copyfileobj(f, out)


def make_ext4(disk, name, scratch):
    """An ext4 file system (journal and all, as Debian's mkfs.ext4 makes it) over the
    volume: made in the file scratch, then copied in."""
    _, length = volume_range(disk, name)
    with open(scratch, "wb") as f:
        f.truncate(length)
    subprocess.run([MKFS_EXT4, "-q", "-F", "-L", name, str(scratch)], check=True)
    write_volume(disk, name, scratch)


def fsck_volume(disk, name, scratch):
    """e2fsck -fn of the volume as a crash leaves it: on a copy whose journal has been
    replayed first (-E journal_only changes nothing else), as the next mount would.
    Returns (clean, what e2fsck said)."""
    extract_volume(disk, name, scratch)
    replay = subprocess.run([E2FSCK, "-E", "journal_only", "-y", str(scratch)],
                            capture_output=True, text=True)
    check = subprocess.run([E2FSCK, "-fn", str(scratch)], capture_output=True, text=True)
    said = replay.stdout + replay.stderr + check.stdout + check.stderr
    return replay.returncode in (0, 1) and check.returncode == 0, said
