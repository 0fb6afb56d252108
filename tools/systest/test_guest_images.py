"""Issues 10 and 11: the monitor loads every image the RISC-V boot protocol allows (BSS up to
image_size zeroed) and refuses, in one line, headers whose sizes wrap past 2^64, without
dying or losing memory. A kernel that is really cut short fails in its guest, and the
monitor stops that VM and says so."""
import re

from conftest import free_pages, number
from test_hypervisor import assert_all_passed, run_guest

WRAP_TEXT_OFFSET = "/boot/guest/wrap-text-offset-Image"  # text_offset 2^64 - 2 MiB
WRAP_IMAGE_SIZE = "/boot/guest/wrap-image-size-Image"    # image_size 2^64 - 1 MiB


def vmm_task(shell):
    return number(r"^\s+(\d+)\s+vmm\s", shell.run("ps"))


def test_headers_whose_sizes_wrap_are_refused(shell):
    # A first guest maps what the monitor keeps mapped (the bootfs, its page tables).
    assert_all_passed(*run_guest(shell, "/boot/guest/hello.bin"))
    before, vmm = free_pages(shell), vmm_task(shell)
    text_offset = ("vm: the Linux Image does not fit in guest RAM: 0x210000 bytes at "
                   "0xffffffffffe00000")
    assert shell.run(f"vm run {WRAP_TEXT_OFFSET}") == text_offset
    assert shell.run(f"linux image={WRAP_TEXT_OFFSET}") == text_offset
    assert shell.run(f"vm run {WRAP_TEXT_OFFSET} ram=4") == text_offset
    image_size = ("vm: the Linux Image does not fit in guest RAM: 0xfffffffffff00000 bytes "
                  "at 0x200000")
    assert shell.run(f"vm run {WRAP_IMAGE_SIZE}") == image_size
    assert shell.run(f"linux image={WRAP_IMAGE_SIZE} ram=128") == image_size
    assert shell.run("echo still here") == "still here"
    assert vmm_task(shell) == vmm, "the monitor died and was restarted"
    assert free_pages(shell) == before
    assert "Image" not in shell.run("vm list")
    assert_all_passed(*run_guest(shell, "/boot/guest/hello.bin"))
    assert vmm_task(shell) == vmm


def type_line(shell, line):
    """Types a line longer than 64 keys 32 at a time, each part echoed before the next: the
    shell takes typed-ahead input 64 bytes at a time and loses the rest (lib/console.c)."""
    for i in range(0, len(line), 32):
        shell.send(line[i:i + 32])
        shell.expect(re.escape(line[i:i + 32]))
    shell.send("\r")
    return shell.prompt().replace("\r", "").strip("\n")


def test_arguments_too_long_are_refused_not_cut(shell):
    path = "/boot/guest/" + "x" * 60
    assert type_line(shell, f"vm run {path}") == \
        "vm: the image path is too long (at most 63 characters)"
    assert type_line(shell, f"vm run /boot/guest/hello.bin initrd={path}") == \
        "vm: the initrd path is too long (at most 63 characters)"
    # `linux` puts "console=hvc0 earlycon=sbi" first: 26 + 241 characters.
    out = type_line(shell, "linux " + "a" * 120 + " " + "b" * 120)
    assert out == "vm: the kernel command line is too long (at most 255 characters)", out
    # From a task rather than the shell, which sends at most 255.
    assert shell.run("run /boot/test/vmm-args") == ("vmm-args: refused (invalid argument): "
                                                    "the arguments are too long (at most 511 "
                                                    "characters)")
    assert "hello" not in shell.run("vm list")
    assert shell.run("echo fine") == "fine"


def test_bss_up_to_image_size_is_zeroed(shell):
    """bss.bin declares 1 MiB in a file of a few KiB; it fills its BSS and reboots, and
    finds it zero again only if the monitor zeroed it while loading."""
    out, end = run_guest(shell, "/boot/guest/bss.bin")
    assert "PASS: BSS beyond _end reads zero on the first boot" in out, out
    assert re.search(r"\[vm \d+ \(bss\.bin\): rebooting\]", out), out
    assert "PASS: the loader zeroed the BSS up to image_size again (0 words left)" in out, out
    assert_all_passed(out, end)


def test_truncated_linux_image_is_stopped_in_its_guest(shell):
    """Half the Linux Image loads (the boot protocol counts the rest as BSS); its kernel
    takes an illegal instruction early and parks in WFI with interrupts off, for good."""
    assert_all_passed(*run_guest(shell, "/boot/guest/hello.bin"))
    before, vmm = free_pages(shell), vmm_task(shell)
    shell.send("linux image=/boot/guest/truncated-Image\r")
    shell.expect(r"\[vm \d+ \(truncated-Image\): stopped: vCPU 0 waits in WFI at pc [0-9a-f]+ "
                 r"with every interrupt disabled\]", timeout=60)
    shell.prompt()
    assert shell.run("echo the shell answers") == "the shell answers"
    assert "truncated" not in shell.run("vm list")
    assert vmm_task(shell) == vmm
    assert free_pages(shell) == before


def test_a_guest_with_most_of_the_ram_fits(shell):
    # Guest RAM is one physical run; QEMU 10 puts the boot file system in the middle of the
    # machine's 1 GiB, which left no 600 MiB run until the kernel moved it down at boot.
    assert re.search(r"initrd: moved to [0-9a-f]+-[0-9a-f]+, next to the kernel",
                     shell.output())
    # The first run leaves the monitor's page tables for that much RAM (see the first test).
    assert_all_passed(*run_guest(shell, "/boot/guest/hello.bin ram=600"))
    before = free_pages(shell)
    assert_all_passed(*run_guest(shell, "/boot/guest/hello.bin ram=600"))
    assert free_pages(shell) == before
