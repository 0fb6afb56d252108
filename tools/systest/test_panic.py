"""Kernel panics print one clear message with a symbolized stack trace, then power off."""


def test_panic_prints_symbolized_trace(boot):
    from conftest import TEST_KERNEL
    m = boot(kernel=TEST_KERNEL, append="vireo.test=panic")
    m.expect("KERNEL PANIC: test hook: deliberate panic")
    m.expect("stack trace:")
    for frame in ("panic_depth3", "panic_depth2", "panic_depth1", "testhook_after_boot",
                  "kmain"):
        m.expect(rf"at [0-9a-f]{{16}} {frame}\+0x[0-9a-f]+")
    m.expect("system halted, powering off")
    m.exited()


def test_kernel_page_fault_names_the_faulting_function(boot):
    from conftest import TEST_KERNEL
    m = boot(kernel=TEST_KERNEL, append="vireo.test=fault")
    m.expect("KERNEL PANIC: store page fault in the kernel")
    m.expect(r"scause 000000000000000f stval 0000000000000008")
    m.expect(r"pc [0-9a-f]{16} fault_depth1\+0x")
    m.expect(r"ra [0-9a-f]{16} testhook_after_boot\+0x")
    m.expect(r"at [0-9a-f]{16} kmain\+0x")
    m.exited()


THREAD_GUARD = 4 * 4096  # KSTACK_GUARD_PAGES (kernel/kstack.h)
BOOT_GUARD = 4096  # kernel/entry.S


def expect_overflow_report(m, whose, guard):
    """The panic names the stack, the fault lands in its guard, and the machine stops."""
    m.expect(rf"KERNEL PANIC: kernel stack overflow \({whose}\)")
    line = m.expect(r"store page fault with sp ([0-9a-f]{16}), stack ([0-9a-f]{16})-([0-9a-f]{16})")
    base = int(line.group(2), 16)
    assert int(line.group(3), 16) - base == 16 * 1024
    stval = int(m.expect(r"scause 000000000000000f stval ([0-9a-f]{16})").group(1), 16)
    assert base - guard <= stval < base, f"fault at {stval:x}, not in the guard below {base:x}"
    m.expect(r"pc [0-9a-f]{16} overflow_recurse")
    m.expect("stack trace:")
    m.expect(r"at [0-9a-f]{16} overflow_recurse")
    m.expect("system halted, powering off")
    m.exited()
    assert "KERNEL PANIC" not in m.output().split("KERNEL PANIC", 1)[1], "a second panic"


def test_thread_kernel_stack_overflow_faults_in_its_guard(boot):
    """Unbounded recursion on init's kernel stack, at its first trap from U-mode."""
    from conftest import TEST_KERNEL
    m = boot(kernel=TEST_KERNEL, append="vireo.test=kstack-overflow")
    expect_overflow_report(m, r"thread \d+, task init", THREAD_GUARD)


def test_boot_stack_overflow_faults_in_its_guard(boot):
    """The boot stack, which the idle loop goes on using, has a guard page too."""
    from conftest import TEST_KERNEL
    m = boot(kernel=TEST_KERNEL, append="vireo.test=boot-stack-overflow")
    m.expect("paging: .* kernel stacks at 1fc0000000 with guards")
    expect_overflow_report(m, "the boot and idle stack", BOOT_GUARD)


def test_trap_whose_frame_would_not_fit_goes_to_the_emergency_stack(boot):
    """A breakpoint with 64 bytes left above the base: the trap entry's check catches it
    before the frame is pushed, and the report still has the trapped registers."""
    from conftest import TEST_KERNEL
    m = boot(kernel=TEST_KERNEL, append="vireo.test=kstack-full-trap")
    m.expect(r"KERNEL PANIC: kernel stack overflow \(thread \d+, task init\)")
    line = m.expect(r"breakpoint with sp ([0-9a-f]{16}), stack ([0-9a-f]{16})-")
    assert int(line.group(1), 16) == int(line.group(2), 16) + 64
    m.expect(r"scause 0000000000000003")
    m.expect(r"pc [0-9a-f]{16} testhook_user_trap\+0x")
    m.expect(r"at [0-9a-f]{16} user_trap\+0x")
    m.expect("system halted, powering off")
    m.exited()
