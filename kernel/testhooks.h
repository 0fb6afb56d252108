/* Faults injected on purpose, chosen with vireo.test=NAME on the kernel command line. Built
 * only into the test image (build/test/vireo.elf), never into the one users run. */
#ifndef VIREO_TESTHOOKS_H
#define VIREO_TESTHOOKS_H

#ifdef VIREO_TEST_HOOKS
/* Before the device tree is parsed: may damage it, or hand back none (NULL). */
void *testhook_before_parse(void *fdt);
/* After the boot report: may panic or fault. */
void testhook_after_boot(void);
/* At the first trap from U-mode, on the thread's kernel stack: may overflow it. */
void testhook_user_trap(void);
#else
static inline void *testhook_before_parse(void *fdt) { return fdt; }
static inline void testhook_after_boot(void) {}
static inline void testhook_user_trap(void) {}
#endif

#endif
