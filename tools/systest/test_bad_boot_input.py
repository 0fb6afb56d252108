"""A corrupt or missing device tree, no usable RAM, or a missing or wrong initrd: each ends
in one clear panic naming the problem, and QEMU powers off (no hang, no silent reset)."""
import pytest

from conftest import TEST_KERNEL


@pytest.mark.parametrize("hook, message", [
    ("no-fdt", "device tree: none was passed"),
    ("corrupt-fdt", r"device tree: bad header \(FDT_ERR_BADMAGIC\)"),
    ("damaged-fdt", r"device tree: damaged \w+"),
    ("no-memory", "device tree: no memory node"),
    ("no-usable-ram", r"memory: no usable RAM"),
])
def test_bad_device_tree_or_ram_panics_clearly(boot, hook, message):
    m = boot(kernel=TEST_KERNEL, append=f"vireo.test={hook}")
    m.expect(f"KERNEL PANIC: {message}")
    m.expect("system halted, powering off")
    m.exited()
    assert m.output().count("KERNEL PANIC") == 1
    assert "boot: done" not in m.output()


def test_missing_initrd_panics_clearly(boot):
    m = boot(initrd=None)
    m.expect(r"KERNEL PANIC: no initrd: /chosen has no linux,initrd-start/end")
    m.exited()


def test_initrd_that_is_not_cpio_panics_clearly(boot, tmp_path):
    junk = tmp_path / "junk.img"
    junk.write_bytes(b"\x7fELF" + bytes(4092))
    m = boot(initrd=str(junk))
    m.expect(r"KERNEL PANIC: initrd at [0-9a-f]+ is not a newc cpio archive")
    m.exited()
