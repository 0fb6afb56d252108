/* The virtual PLIC's register file (vplic.h). Section numbers are those of the RISC-V PLIC
 * specification 1.0.0. Where the brief leaves room, behaviour follows QEMU's
 * hw/intc/sifive_plic.c as configured by the virt board (7 priority levels). */
#include "vplic.h"

#include <stddef.h>
#include <string.h>

_Static_assert(VPLIC_MAX_SOURCES % 32 == 0, "sources come in 32-bit words");

#define PRIORITY_BASE 0x000000u
#define PENDING_BASE 0x001000u
#define ENABLE_BASE 0x002000u
#define ENABLE_STRIDE 0x80u
#define CONTEXT_BASE 0x200000u
#define CONTEXT_STRIDE 0x1000u
#define CONTEXT_THRESHOLD 0x0u
#define CONTEXT_CLAIM 0x4u

/* Priorities and thresholds are WARL with 3 writable bits: 0..7, like QEMU's virt
 * (num-priorities 7, stored modulo 8). Spec 4: priority 0 means "never interrupt". */
#define PRIORITY_MASK 0x7u

enum reg_kind { REG_NONE, REG_PRIORITY, REG_PENDING, REG_ENABLE, REG_THRESHOLD, REG_CLAIM };

/* A decoded register: kind, plus the source id (priority), context, and word (pending,
 * enable) it names. REG_NONE, the zero value, is no register. */
struct reg {
	enum reg_kind kind;
	unsigned source, context, word;
};

static bool get_bit(const uint32_t *words, unsigned id)
{
	return (words[id / 32] >> (id % 32)) & 1;
}

static void put_bit(uint32_t *words, unsigned id, bool on)
{
	uint32_t bit = 1u << (id % 32);
	words[id / 32] = on ? words[id / 32] | bit : words[id / 32] & ~bit;
}

static unsigned num_contexts(const struct vplic *p)
{
	return 2 * p->nharts;
}

static bool is_s_context(const struct vplic *p, unsigned context)
{
	return context < num_contexts(p) && context % 2 == 1;
}

/* Words of the pending and enable arrays that exist: up to the one holding source ndev. */
static unsigned num_words(const struct vplic *p)
{
	return p->ndev / 32 + 1;
}

/* The bits of word w that stand for existing sources 1..ndev; spec 5 and 6: bit 0 of
 * word 0 (source 0, which does not exist) is hardwired to 0. */
static uint32_t source_mask(const struct vplic *p, unsigned w)
{
	if (p->ndev < 32 * w)
		return 0;
	uint32_t mask = w == 0 ? ~1u : ~0u;
	unsigned top = p->ndev - 32 * w; /* highest existing bit in this word */
	if (top < 31)
		mask &= (2u << top) - 1;
	return mask;
}

/* Decode first, act after: a failed decode leaves no state changed. */
static struct reg decode(const struct vplic *p, uint64_t offset, unsigned width)
{
	struct reg r = {0};
	/* Spec 3: the registers are 32 bits wide, accessed with LW and SW. */
	if (width != 4 || offset % 4 != 0 || offset >= VPLIC_SIZE)
		return r;
	if (offset < PENDING_BASE) {
		unsigned source = (unsigned)(offset - PRIORITY_BASE) / 4;
		if (source <= p->ndev)
			r = (struct reg){.kind = REG_PRIORITY, .source = source};
	} else if (offset < ENABLE_BASE) {
		unsigned word = (unsigned)(offset - PENDING_BASE) / 4;
		if (word < num_words(p))
			r = (struct reg){.kind = REG_PENDING, .word = word};
	} else if (offset < CONTEXT_BASE) {
		unsigned context = (unsigned)(offset - ENABLE_BASE) / ENABLE_STRIDE;
		unsigned word = (unsigned)(offset - ENABLE_BASE) % ENABLE_STRIDE / 4;
		if (context < num_contexts(p) && word < num_words(p))
			r = (struct reg){.kind = REG_ENABLE, .context = context, .word = word};
	} else {
		unsigned context = (unsigned)(offset - CONTEXT_BASE) / CONTEXT_STRIDE;
		unsigned reg = (unsigned)(offset - CONTEXT_BASE) % CONTEXT_STRIDE;
		if (context < num_contexts(p) && reg == CONTEXT_THRESHOLD)
			r = (struct reg){.kind = REG_THRESHOLD, .context = context};
		else if (context < num_contexts(p) && reg == CONTEXT_CLAIM)
			r = (struct reg){.kind = REG_CLAIM, .context = context};
	}
	return r;
}

/* The source a claim by context would return, or 0: the pending, enabled source of highest
 * priority, ties going to the lowest id (spec 1.4, 8).
 *
 * Spec 8 says the claim "is not affected by the setting of the priority threshold"; QEMU's
 * sifive_plic_claimed() instead only considers sources with priority > threshold. We follow
 * QEMU, so guests written against it behave the same, and so a claim returns a source
 * exactly when vplic_context_pending() is true. Priority 0 never qualifies either way. */
static unsigned best_source(const struct vplic *p, unsigned context)
{
	if (!is_s_context(p, context))
		return 0;
	unsigned best = 0, best_priority = p->threshold[context];
	for (unsigned id = 1; id <= p->ndev; id++)
		if (get_bit(p->pending, id) && get_bit(p->enable[context], id) &&
		    p->priority[id] > best_priority) {
			best = id;
			best_priority = p->priority[id];
		}
	return best;
}

/* Spec 8: a claim atomically clears the pending bit of the source it returns. The gateway
 * then holds further requests from that source until its completion (spec 1.2). */
static uint32_t claim(struct vplic *p, unsigned context)
{
	unsigned id = best_source(p, context);
	if (id) {
		put_bit(p->pending, id, false);
		put_bit(p->in_service, id, true);
	}
	return id;
}

/* Spec 9: the completion need not match the last claim of this context, but is silently
 * ignored unless id is enabled for it (QEMU does not check the enable bit; we follow the
 * spec). Spec 1.2: a level-triggered line still asserted at completion is forwarded again.
 * M-mode contexts never claim, so they complete nothing either. */
static void complete(struct vplic *p, unsigned context, uint32_t id)
{
	if (!is_s_context(p, context) || id == 0 || id > p->ndev ||
	    !get_bit(p->enable[context], id))
		return;
	put_bit(p->in_service, id, false);
	if (get_bit(p->level, id))
		put_bit(p->pending, id, true);
}

void vplic_init(struct vplic *p, unsigned ndev, unsigned nharts)
{
	memset(p, 0, sizeof(*p));
	p->ndev = ndev < VPLIC_MAX_SOURCES ? ndev : VPLIC_MAX_SOURCES - 1;
	p->nharts = nharts < VPLIC_MAX_HARTS ? nharts : VPLIC_MAX_HARTS;
}

int vplic_read(struct vplic *p, uint64_t offset, unsigned width, uint32_t *value)
{
	struct reg r = decode(p, offset, width);
	switch (r.kind) {
	case REG_PRIORITY:
		*value = p->priority[r.source];
		return 0;
	case REG_PENDING:
		*value = p->pending[r.word];
		return 0;
	case REG_ENABLE:
		*value = p->enable[r.context][r.word];
		return 0;
	case REG_THRESHOLD:
		*value = p->threshold[r.context];
		return 0;
	case REG_CLAIM:
		*value = claim(p, r.context);
		return 0;
	case REG_NONE:
		break;
	}
	return -1;
}

int vplic_write(struct vplic *p, uint64_t offset, unsigned width, uint32_t value)
{
	struct reg r = decode(p, offset, width);
	switch (r.kind) {
	case REG_PRIORITY:
		/* Spec 3: source 0 does not exist; its slot is reserved, the write dropped. */
		if (r.source != 0)
			p->priority[r.source] = (uint8_t)(value & PRIORITY_MASK);
		return 0;
	case REG_PENDING:
		/* Spec 5: pending bits change only through gateways and claims. */
		return 0;
	case REG_ENABLE:
		p->enable[r.context][r.word] = value & source_mask(p, r.word);
		return 0;
	case REG_THRESHOLD:
		/* Spec 7: WARL, same legal values as priorities. */
		p->threshold[r.context] = (uint8_t)(value & PRIORITY_MASK);
		return 0;
	case REG_CLAIM:
		complete(p, r.context, value);
		return 0;
	case REG_NONE:
		break;
	}
	return -1;
}

/* Spec 1.2: the gateway turns a high line into one request (the IP bit) and forwards no
 * other until the completion. A request once forwarded is not retracted when the line
 * drops; the handler finds the device idle. */
void vplic_set_level(struct vplic *p, unsigned irq, bool level)
{
	if (irq == 0 || irq > p->ndev)
		return;
	put_bit(p->level, irq, level);
	if (level && !get_bit(p->in_service, irq))
		put_bit(p->pending, irq, true);
}

/* Spec 7 and 1.5: notify when a pending, enabled source has priority > threshold. */
bool vplic_context_pending(const struct vplic *p, unsigned context)
{
	return best_source(p, context) != 0;
}
