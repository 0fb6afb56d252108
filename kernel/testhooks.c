#include "testhooks.h"

#include <libfdt.h>
#include <stdbool.h>
#include <string.h>

#include "console.h"
#include "hart.h"
#include "panic.h"

static char hook[32];

/* Reads vireo.test=NAME from /chosen/bootargs while the blob is still intact. */
static void read_hook(const void *fdt)
{
	const char *args = NULL;
	int chosen = fdt_check_header(fdt) ? -1 : fdt_path_offset(fdt, "/chosen");
	if (chosen >= 0)
		args = fdt_getprop(fdt, chosen, "bootargs", NULL);
	const char *p = args ? strstr(args, "vireo.test=") : NULL;
	if (!p)
		return;
	p += strlen("vireo.test=");
	size_t n = 0;
	while (p[n] && p[n] != ' ' && n + 1 < sizeof(hook))
		n++;
	memcpy(hook, p, n);
	kprintf("testhook: %s\n", hook);
}

static int is(const char *name)
{
	return !strcmp(hook, name);
}

void *testhook_before_parse(void *fdt)
{
	read_hook(fdt);
	if (is("no-fdt"))
		return NULL;
	if (is("corrupt-fdt"))
		((fdt32_t *)fdt)[0] = cpu_to_fdt32(0xdeadbeef); /* the magic */
	if (is("damaged-fdt")) /* a token in the structure block that is no token */
		*(fdt32_t *)((char *)fdt + fdt_off_dt_struct(fdt) + 8) = cpu_to_fdt32(0x7777);
	if (is("no-memory")) {
		int node;
		while ((node = fdt_node_offset_by_prop_value(fdt, -1, "device_type", "memory", 7)) >= 0)
			fdt_nop_node(fdt, node);
	}
	if (is("no-rng-seed")) {
		int chosen = fdt_path_offset(fdt, "/chosen");
		if (chosen >= 0)
			fdt_nop_property(fdt, chosen, "rng-seed");
	}
	if (is("no-usable-ram")) {
		/* RAM shrunk to the kernel image, all of which is reserved. */
		extern char __kernel_start[], _end[];
		int node = fdt_node_offset_by_prop_value(fdt, -1, "device_type", "memory", 7);
		fdt32_t *reg = (fdt32_t *)fdt_getprop(fdt, node, "reg", NULL);
		uint64_t base = (uint64_t)__kernel_start, size = (uint64_t)(_end - __kernel_start);
		reg[0] = cpu_to_fdt32((uint32_t)(base >> 32));
		reg[1] = cpu_to_fdt32((uint32_t)base);
		reg[2] = cpu_to_fdt32((uint32_t)(size >> 32));
		reg[3] = cpu_to_fdt32((uint32_t)size);
	}
	return fdt;
}

/* Three named frames deep, so the test can check that the trace names each of them. */
__attribute__((noinline)) static void panic_depth3(void)
{
	panic("test hook: deliberate panic");
}

__attribute__((noinline)) static void panic_depth2(void)
{
	panic_depth3();
	__asm__ volatile(""); /* keep the call from becoming a tail call */
}

__attribute__((noinline)) static void panic_depth1(void)
{
	panic_depth2();
	__asm__ volatile("");
}

__attribute__((noinline)) static void fault_depth1(void)
{
	volatile uintptr_t unmapped = 8; /* nothing is mapped in page 0 */
	*(volatile uint64_t *)unmapped = 1;
	__asm__ volatile("");
}

/* Recursion without end, a frame of some 300 bytes a level: the stack's guard must stop it. */
__attribute__((noinline)) static uint64_t overflow_recurse(volatile uint64_t *depth)
{
	volatile uint8_t frame[256];
	frame[0] = (uint8_t)++*depth;
	if (*depth == 0) /* never: the compiler may not fold the recursion away */
		return 0;
	return overflow_recurse(depth) + frame[0];
}

static void overflow_stack(void)
{
	volatile uint64_t depth = 0;
	overflow_recurse(&depth);
}

/* A trap taken with less room on the stack than its frame needs, while sp is still above
 * the base: the trap entry's own check must catch it, before the guard would. */
static void trap_on_a_full_stack(void)
{
	uint64_t nearly_full = this_hart()->stack_base + 64;
	__asm__ volatile("mv t0, sp\n\tmv sp, %0\n\tebreak\n\tmv sp, t0" ::"r"(nearly_full)
			 : "t0", "memory");
}

void testhook_after_boot(void)
{
	if (is("panic"))
		panic_depth1();
	if (is("fault"))
		fault_depth1();
	if (is("boot-stack-overflow"))
		overflow_stack();
}

void testhook_user_trap(void)
{
	static bool fired;
	if (fired)
		return;
	fired = true;
	if (is("kstack-overflow"))
		overflow_stack();
	if (is("kstack-full-trap"))
		trap_on_a_full_stack();
}
