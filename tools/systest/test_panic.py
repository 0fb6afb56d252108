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
