/* A mutation fuzzer for the parsers that take what others hand the kernel and the monitor:
 * ELF images (lib/elf.c), cpio archives (lib/cpio.c), device trees (kernel/machine.c),
 * trapped instructions (hv/mmio_decode.c), virtqueues a guest lays out in its RAM
 * (servers/vmm/virtqueue.c), the placement of a guest's Linux Image, initrd and device
 * tree from the image's boot header and the sizes a user gives (servers/vmm/image.c), and
 * random register access sequences on the monitor's UART (servers/vmm/uart16550.c), which
 * must keep its invariants and lose no byte it took, virtio-net packets
 * (servers/vmm/net_frame.c), and the network server's switch (servers/net/switch.c) under
 * random frames from random ports. Built on the host with
 * AddressSanitizer and UBSan, so a read outside the input, an overflow or any undefined
 * behaviour stops it with a report.
 *
 *   fuzz ROUNDS SEED ELF CPIO DTB
 *
 * Each round takes a valid seed input (the three files), damages it a few random ways (bit
 * flips, interesting values, truncation, copied runs) and parses it, checking what the
 * parser promises: an error with a message, or a result that stays within the input. The
 * same SEED gives the same rounds, so a failure can be replayed. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpio.h"
#include "elf.h"
#include "fuzz_fs.h"
#include "image.h"
#include "machine.h"
#include "mmio_decode.h"
#include "uart16550.h"
#include "blk_request.h"
#include "fuse_request.h"
#include "agent_frame.h"
#include "net_frame.h"
#include "net_ring.h"
#include "offload.h"
#include "switch.h"
#include "virtqueue.h"

static uint64_t rng_state;
/* How often each parser accepted its input: a fuzzer whose inputs all fail the first check
 * tests only that check. */
static unsigned long elf_ok, cpio_entries, dtb_ok, decoded, chains, images_ok, layouts_ok,
	uart_bytes;

/* xorshift64*: fast, and the same sequence for the same seed. */
static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static uint64_t below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

static void fail(const char *target, unsigned long round, const char *what)
{
	fprintf(stderr, "fuzz: %s, round %lu: %s\n", target, round, what);
	exit(1);
}

static void *load(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		exit(2);
	}
	fseek(f, 0, SEEK_END);
	*size = (size_t)ftell(f);
	rewind(f);
	void *data = malloc(*size ? *size : 1);
	if (!data || fread(data, 1, *size, f) != *size) {
		fprintf(stderr, "%s: cannot read\n", path);
		exit(2);
	}
	fclose(f);
	return data;
}

/* Values at the edges of sizes and fields, and sizes a guest's RAM layout makes special. */
static const uint64_t interesting[] = { 0, 1, 0x7f, 0x80, 0xff, 0x7fff, 0xffff, 0x7fffffff,
					0xffffffff, 0x8000000000000000ull, ~0ull, 4096, 0x1000000,
					0x200000, 0xffffffffffe00000ull, 0x4000000, 0x80000000 };

static uint64_t pick_interesting(void)
{
	return interesting[below(sizeof(interesting) / sizeof(*interesting))];
}

/* A damaged copy of seed, in a buffer of exactly its new size (so ASan sees any overrun). */
static uint8_t *mutate(const uint8_t *seed, size_t seed_size, size_t *size)
{
	size_t n = seed_size;
	if (below(8) == 0)
		n = below(seed_size + 1); /* truncated */
	uint8_t *d = malloc(n ? n : 1);
	memcpy(d, seed, n);
	for (unsigned k = 1 + (unsigned)below(8); k > 0 && n > 0; k--) {
		size_t at = below(n);
		switch (below(4)) {
		case 0:
			d[at] ^= (uint8_t)(1u << below(8));
			break;
		case 1:
			d[at] = (uint8_t)rnd();
			break;
		case 2: {
			uint64_t v = pick_interesting();
			size_t w = (size_t)1 << below(4);
			if (at + w <= n)
				memcpy(d + at, &v, w);
			break;
		}
		default: { /* a run of the input copied over another place */
			size_t from = below(n), len = below(64);
			if (from + len <= n && at + len <= n)
				memmove(d + at, d + from, len);
		}
		}
	}
	*size = n;
	return d;
}

static void fuzz_elf(unsigned long round, const uint8_t *seed, size_t seed_size)
{
	size_t n;
	uint8_t *d = mutate(seed, seed_size, &n);
	struct elf_image img;
	const char *err = NULL;
	const uint64_t lo = 0x2000000000ull, hi = 0x2800000000ull;
	if (elf_parse(d, n, lo, hi, round & 1 ? ELF_TASK_LAYOUT : 0, &img, &err) == 0) {
		elf_ok++;
		for (unsigned i = 0; i < img.nsegments; i++) {
			const struct elf_segment *s = &img.segments[i];
			if (s->offset > n || s->filesz > n - s->offset || s->filesz > s->memsz ||
			    s->vaddr < lo || s->vaddr > hi || s->memsz > hi - s->vaddr)
				fail("elf", round, "accepted a segment outside the file or the range");
		}
	} else if (!err) {
		fail("elf", round, "refused without a message");
	}
	free(d);
}

static void fuzz_cpio(unsigned long round, const uint8_t *seed, size_t seed_size)
{
	size_t n;
	uint8_t *d = mutate(seed, seed_size, &n);
	struct cpio_entry e;
	const char *err = NULL;
	size_t off = 0;
	int r;
	for (unsigned entries = 0; (r = cpio_next(d, n, &off, &e, &err)) == 1; entries++) {
		cpio_entries++;
		const uint8_t *data = e.data;
		if (e.size && (data < d || data > d + n || e.size > (size_t)(d + n - data)))
			fail("cpio", round, "an entry's data lies outside the archive");
		if (off > n || entries > n)
			fail("cpio", round, "walked past the end of the archive");
	}
	if (r < 0 && !err)
		fail("cpio", round, "refused without a message");
	(void)cpio_find(d, n, "bin/init", &e, &err);
	free(d);
}

static void fuzz_dtb(unsigned long round, const uint8_t *seed, size_t seed_size)
{
	size_t n;
	uint8_t *d = mutate(seed, seed_size, &n);
	static struct machine m;
	if (machine_parse(d, n, 0, &m) == 0)
		dtb_ok++;
	else if (m.error[0] == '\0')
		fail("device tree", round, "refused without a message");
	if (m.nram > MACHINE_MAX_RANGES || m.nreserved > MACHINE_MAX_RANGES)
		fail("device tree", round, "more ranges than the table holds");
	free(d);
}

static void fuzz_decode(unsigned long round)
{
	struct mmio_access a;
	uint32_t insn = (uint32_t)rnd();
	if (mmio_decode(insn, &a) == MMIO_DECODE_OK && ++decoded &&
	    (a.reg >= 32 || (a.width != 1 && a.width != 2 && a.width != 4 && a.width != 8) ||
	     (a.insn_len != 2 && a.insn_len != 4)))
		fail("mmio_decode", round, "decoded an access with an impossible register or width");
	uint64_t htinst = rnd() >> below(64);
	if (htinst && mmio_decode_htinst(htinst, &a) == MMIO_DECODE_OK &&
	    (a.reg >= 32 || (a.width != 1 && a.width != 2 && a.width != 4 && a.width != 8)))
		fail("mmio_decode_htinst", round, "decoded an impossible access");
}

/* A guest's RAM full of random bytes, and a queue placed at random in and around it, its
 * indirect tables and event-idx negotiated or not. */
static void fuzz_virtqueue(unsigned long round)
{
	enum { RAM = 8192, BASE = 0x80000000u };
	uint8_t *ram = malloc(RAM);
	for (size_t i = 0; i < RAM; i += 8) {
		uint64_t v = rnd();
		if (below(4) == 0) /* descriptors that point back into RAM are the interesting ones */
			v = BASE + below(RAM + 64);
		memcpy(ram + i, &v, 8);
	}
	struct guest_mem mem = { BASE, RAM, ram };
	uint16_t max = (uint16_t)(1u << below(9));
	struct virtq q = { .num = (uint16_t)(below(4) ? 1u << below(9) : rnd()),
			   .desc = BASE + below(RAM + 256) - 128,
			   .avail = BASE + below(RAM + 256) - 128,
			   .used = BASE + below(RAM + 256) - 128,
			   .last_avail = (uint16_t)rnd(), .indirect = below(2), .event_idx = below(2) };
	if (below(2)) { /* often a queue that passes the checks, with plausible rings */
		q.num = max;
		q.desc = BASE + (below(RAM / 2) & ~15ull);
		q.avail = BASE + (below(RAM / 2) & ~1ull);
		q.used = BASE + (below(RAM / 2) & ~3ull);
		uint16_t idx = (uint16_t)(q.last_avail + below(q.num + 2u));
		memcpy(ram + (q.avail - BASE) + 2, &idx, 2);
		for (unsigned i = 0; i < q.num && below(8); i++) {
			uint64_t addr = BASE + below(RAM), len = below(below(8) ? 512 : RAM * 2);
			uint16_t flags = (uint16_t)(below(3) ? 0 : rnd() & 7), next = (uint16_t)below(q.num + 1u);
			if ((flags & 4) && below(2)) /* an indirect table of plausible length */
				len &= ~15ull;
			uint8_t *d = ram + (q.desc - BASE) + 16 * i;
			memcpy(d, &addr, 8);
			memcpy(d + 8, &len, 4);
			memcpy(d + 12, &flags, 2);
			memcpy(d + 14, &next, 2);
			uint16_t head = (uint16_t)below(q.num + 1u);
			memcpy(ram + (q.avail - BASE) + 4 + 2 * ((q.last_avail + i) & (q.num - 1)), &head, 2);
		}
	}
	struct vq_fault f = vq_check(&q, &mem, max);
	char msg[128];
	vq_describe(f, msg, sizeof(msg));
	if (f.error == VQ_OK) {
		static struct vq_chain c;
		for (unsigned k = 0; k < 4; k++) {
			int r = vq_pop(&q, &mem, &c, &f);
			if (r < 0) {
				vq_describe(f, msg, sizeof(msg));
				break;
			}
			if (r == 0)
				break;
			chains++;
			for (unsigned i = 0; i < c.n; i++)
				if (c.buf[i].host < ram || c.buf[i].len > RAM ||
				    c.buf[i].host + c.buf[i].len > ram + RAM)
					fail("virtqueue", round, "a buffer outside guest RAM");
			if (c.n == 0 || c.n > VQ_MAX_SIZE)
				fail("virtqueue", round, "a chain of no buffers or too many");
			vq_push(&q, &mem, c.head, (uint32_t)rnd());
			(void)vq_wants_interrupt(&q, &mem);
		}
	}
	free(ram);
}

/* virtio-blk requests: random chains (lengths, directions, header bytes) against a random
 * disk size. What the parser accepts must lie on the disk and within the streams. */
static unsigned long blk_ok;
static void fuzz_blk(unsigned long round)
{
	static struct vq_chain c;
	enum { SLOT = 1040 };
	static uint8_t bytes[VQ_MAX_SIZE * SLOT];
	c.n = below(4) ? 1 + below(4) : below(VQ_MAX_SIZE + 1);
	for (unsigned i = 0; i < c.n; i++) {
		/* Mostly the shapes a driver uses: a 16-byte header, whole sectors, a status byte. */
		static const uint32_t lens[] = { 16, 512, 1024, 1, 0, 8, 513 };
		uint32_t len = below(4) ? lens[below(7)] : (uint32_t)below(SLOT + 1);
		c.buf[i] = (struct vq_buf){ .len = len, .writable = i > 0 && below(2), .index = (uint16_t)i,
					    .host = bytes + SLOT * i };
		for (uint32_t k = 0; k < len; k += 8) {
			uint64_t v = below(2) ? below(10) : rnd();
			memcpy(bytes + SLOT * i + k, &v, len - k < 8 ? len - k : 8);
		}
	}
	if (below(2)) { /* a well-shaped chain, with one of its fields perhaps wrong */
		uint32_t type = (uint32_t)below(3);
		uint64_t sector = below(2) ? below(4096) : pick_interesting();
		c.n = 3;
		for (unsigned i = 0; i < 3; i++)
			c.buf[i] = (struct vq_buf){ .index = (uint16_t)i, .host = bytes + SLOT * i };
		c.buf[0].len = 16;
		c.buf[0].writable = false;
		c.buf[1].len = 512 * (uint32_t)below(3) + (below(8) ? 0 : (uint32_t)below(512));
		c.buf[1].writable = type == BLK_T_IN ? below(8) != 0 : below(8) == 0;
		c.buf[2].len = below(8) ? 1 : (uint32_t)below(3);
		c.buf[2].writable = true;
		memcpy(bytes, &type, 4);
		memcpy(bytes + 8, &sector, 8);
	}
	uint64_t capacity = below(2) ? below(4096) : pick_interesting();
	struct blk_request r;
	enum blk_parse p = blk_parse(&c, capacity, &r);
	uint64_t in = 0, out = 0;
	for (unsigned i = 0; i < c.n; i++)
		*(c.buf[i].writable ? &in : &out) += c.buf[i].len;
	if (p != BLK_PARSE_BROKEN && in == 0)
		fail("blk_parse", round, "answered a request without a status byte");
	if (p == BLK_PARSE_OK && (r.type == BLK_T_IN || r.type == BLK_T_OUT)) {
		blk_ok++;
		if (r.sector > capacity || r.sectors > capacity - r.sector ||
		    r.data_len != r.sectors * BLK_SECTOR || r.data_len > BLK_REQUEST_MAX ||
		    r.data_len > (r.type == BLK_T_IN ? in - 1 : out - 16))
			fail("blk_parse", round, "accepted a range off the disk or the chain");
		static uint8_t data[SLOT * VQ_MAX_SIZE];
		size_t n = r.data_len < sizeof(data) ? r.data_len : sizeof(data);
		if (r.type == BLK_T_IN ? blk_scatter(&c, 0, data, n) != n
				       : blk_gather(&c, 16, data, n) != n)
			fail("blk_parse", round, "data shorter than the request said");
	}
	uint8_t status = 0;
	if (p != BLK_PARSE_BROKEN && blk_scatter(&c, r.in_len - 1, &status, 1) != 1)
		fail("blk_parse", round, "no room for the status byte");
}

/* FUSE requests: a well-made request of a random served opcode (or any), then some of its
 * bytes, its length or its reply room changed; each in a heap block of exactly its size so
 * that AddressSanitizer catches a read past it. What the parser accepts must hold up. */
static unsigned long fuse_ok;
/* The fixed argument an opcode takes (fuse.h), to reach past the length checks. */
static size_t fuse_arg_size(uint32_t opcode)
{
	switch (opcode) {
	case FUSE_FORGET: case FUSE_RENAME: case FUSE_MKDIR: case FUSE_OPEN: case FUSE_OPENDIR:
	case FUSE_BATCH_FORGET: return 8;
	case FUSE_GETATTR: case FUSE_FSYNC: case FUSE_INIT: case FUSE_CREATE: case FUSE_RENAME2:
		return 16;
	case FUSE_RELEASE: case FUSE_RELEASEDIR: case FUSE_FLUSH: return 24;
	case FUSE_READ: case FUSE_READDIR: case FUSE_WRITE: return 40;
	case FUSE_SETATTR: return 88;
	default: return 0;
	}
}

static void fuzz_fuse(unsigned long round)
{
	static const uint32_t opcodes[] = {
		FUSE_LOOKUP, FUSE_FORGET, FUSE_GETATTR, FUSE_SETATTR, FUSE_MKDIR, FUSE_UNLINK,
		FUSE_RMDIR, FUSE_RENAME, FUSE_RENAME2, FUSE_OPEN, FUSE_OPENDIR, FUSE_READ,
		FUSE_READDIR, FUSE_WRITE, FUSE_STATFS, FUSE_RELEASE, FUSE_RELEASEDIR, FUSE_FLUSH,
		FUSE_FSYNC, FUSE_INIT, FUSE_CREATE, FUSE_DESTROY, FUSE_BATCH_FORGET,
	};
	static const uint32_t arg_sizes[] = { 0, 8, 16, 24, 40, 88 };
	uint8_t tmp[600];
	size_t len = sizeof(struct fuse_in_header);
	struct fuse_in_header h = { .opcode = below(16) ? opcodes[below(23)] : (uint32_t)rnd(),
				    .unique = rnd(), .nodeid = below(8) ? 1 + below(4) : rnd() };
	size_t arg = below(4) ? fuse_arg_size(h.opcode) : arg_sizes[below(6)];
	for (size_t i = 0; i < arg; i += 8) {
		uint64_t v = below(2) ? below(64) : pick_interesting();
		memcpy(tmp + len + i, &v, 8);
	}
	len += arg;
	for (unsigned n = (unsigned)below(3); n; n--) { /* names, mostly well-formed */
		size_t name = below(8) ? 1 + below(12) : below(300);
		if (len + name + 1 > sizeof(tmp))
			break;
		for (size_t i = 0; i < name; i++)
			tmp[len + i] = below(16) ? (uint8_t)('a' + below(26)) : (uint8_t)below(256);
		tmp[len + name] = below(16) ? 0 : (uint8_t)below(256);
		len += name + 1;
	}
	if (below(4) == 0) {
		size_t data = below(sizeof(tmp) - len);
		memset(tmp + len, 0x5a, data);
		len += data;
	}
	h.len = below(16) ? (uint32_t)len : (uint32_t)pick_interesting();
	memcpy(tmp, &h, sizeof(h));
	for (unsigned flips = below(4) ? 0 : (unsigned)below(8); flips; flips--)
		tmp[below(len)] = (uint8_t)rnd();
	if (below(16) == 0)
		len = below(len + 1);
	size_t writable = below(4) ? 16 + below(70000) : below(200);
	uint8_t *req = malloc(len ? len : 1);
	memcpy(req, tmp, len);
	static const struct fuse_limits lim = { .max_io = 65536, .max_file_size = 1ull << 40 };
	struct fuse_request r;
	enum fuse_parse p = fuse_parse(req, len, writable, &lim, &r);
	if (p == FUSE_PARSE_BROKEN && len >= sizeof(h) && writable >= 16)
		fail("fuse_parse", round, "gave up on a request it could answer");
	if ((p == FUSE_PARSE_OK || p == FUSE_PARSE_ERROR) && writable < 16)
		fail("fuse_parse", round, "answered without room for the reply header");
	if (p == FUSE_PARSE_ERROR && (r.error >= 0 || !r.why))
		fail("fuse_parse", round, "an error without its errno or reason");
	if (p == FUSE_PARSE_OK || (p == FUSE_PARSE_NO_REPLY && r.error == 0)) {
		fuse_ok++;
		const char *names[2] = { r.name, r.name2 };
		uint32_t lens[2] = { r.name_len, r.name2_len };
		for (unsigned i = 0; i < 2; i++) {
			if (!names[i])
				continue;
			const uint8_t *at = (const uint8_t *)names[i];
			if (at < req || at + lens[i] > req + len || !lens[i] ||
			    lens[i] > FUSE_NAME_MAX || memchr(at, '/', lens[i]) ||
			    memchr(at, 0, lens[i]))
				fail("fuse_parse", round, "accepted a bad name");
		}
		if (r.h.len != len)
			fail("fuse_parse", round, "accepted a header whose len lies");
		if (r.h.opcode == FUSE_WRITE &&
		    (r.data < req || r.data + r.in.io.size != req + len ||
		     r.in.io.size > lim.max_io || r.in.io.offset + r.in.io.size > lim.max_file_size))
			fail("fuse_parse", round, "accepted a write past the request or the limits");
		if ((r.h.opcode == FUSE_READ || r.h.opcode == FUSE_READDIR) &&
		    (r.in.io.size > r.reply_room || r.in.io.size > lim.max_io))
			fail("fuse_parse", round, "accepted a read larger than its reply room");
		if (r.h.opcode == FUSE_BATCH_FORGET &&
		    (const uint8_t *)(r.forgets + r.nforgets) != req + len)
			fail("fuse_parse", round, "batch forget count past the request");
		/* Touch every byte the parser handed out, for AddressSanitizer. */
		volatile uint8_t sum = 0;
		for (uint32_t i = 0; i < r.name_len; i++)
			sum += (uint8_t)r.name[i];
		for (uint32_t i = 0; r.data && i < r.in.io.size; i++)
			sum += r.data[i];
		(void)sum;
	}
	free(req);
}

/* linux exec frames from the guest agent: valid frames, written and fed back in random
 * pieces, must come out as they went in; the same stream with bytes changed must give
 * only frames of the guest's types and lengths, or a broken reader. Each piece is a heap
 * block of its own size, for AddressSanitizer. */
static unsigned long agent_frames;
static void fuzz_agent(unsigned long round)
{
	static uint8_t stream[4 * (AGENT_HEADER + AGENT_PAYLOAD_MAX)];
	static const uint8_t types[] = { AGENT_HELLO, AGENT_STDOUT, AGENT_STDERR, AGENT_EXIT,
					 AGENT_ERROR };
	uint8_t sent_types[4];
	uint32_t sent_lens[4];
	unsigned nframes = 1 + (unsigned)below(4);
	size_t n = 0;
	for (unsigned i = 0; i < nframes; i++) {
		uint8_t type = types[below(5)];
		uint32_t len = type == AGENT_HELLO ? 0 : type == AGENT_EXIT ? 4 :
			       below(4) ? (uint32_t)below(64) : (uint32_t)below(AGENT_PAYLOAD_MAX + 1);
		uint8_t payload[AGENT_PAYLOAD_MAX];
		memset(payload, (int)i, len);
		n += agent_frame_write(stream + n, type, payload, len);
		sent_types[i] = type;
		sent_lens[i] = len;
	}
	bool mutated = below(2);
	for (unsigned k = mutated ? 1 + (unsigned)below(4) : 0; k; k--)
		stream[below(n)] = (uint8_t)rnd();
	struct agent_reader rd;
	agent_reader_init(&rd, true);
	unsigned got_frames = 0;
	for (size_t at = 0; at < n;) {
		size_t piece = 1 + below(n - at < 9000 ? n - at : 9000);
		uint8_t *p = malloc(piece);
		memcpy(p, stream + at, piece);
		for (size_t off = 0; off < piece;) {
			struct agent_frame f;
			const char *why;
			size_t used;
			int r = agent_read(&rd, p + off, piece - off, &used, &f, &why);
			if (used > piece - off)
				fail("agent_read", round, "used more bytes than it was given");
			off += used;
			if (r < 0) {
				if (!mutated)
					fail("agent_read", round, "refused a well-formed stream");
				free(p);
				return;
			}
			if (r == 0)
				break;
			agent_frames++;
			if (f.len > AGENT_PAYLOAD_MAX || f.type < AGENT_HELLO || f.type > AGENT_ERROR ||
			    (f.type == AGENT_EXIT && f.len != 4))
				fail("agent_read", round, "a frame of a bad type or length");
			if (!mutated && (got_frames >= nframes || f.type != sent_types[got_frames] ||
					 f.len != sent_lens[got_frames]))
				fail("agent_read", round, "a frame other than the one sent");
			for (uint32_t i = 0; !mutated && i < f.len; i++)
				if (f.payload[i] != (uint8_t)got_frames)
					fail("agent_read", round, "a payload other than the one sent");
			got_frames++;
		}
		free(p);
		at += piece;
	}
	if (!mutated && got_frames != nframes)
		fail("agent_read", round, "frames lost");
}

/* virtio-net packets: random chains both ways, with headers often near the edges of what
 * the driver negotiated. What is accepted must fit the chain, the Ethernet sizes and the
 * features, and a received frame must land whole behind its header. */
static unsigned long net_ok, net_offloads_ok;
static void random_net_hdr(struct net_hdr *h, size_t len)
{
	static const uint8_t types[] = { NET_GSO_NONE, NET_GSO_TCPV4, NET_GSO_TCPV6, NET_GSO_UDP,
					 NET_GSO_TCPV4 | NET_GSO_ECN, 2, 0xff };
	static const uint16_t sizes[] = { 0, 1, 63, 64, 536, 1448, 1460, 1461, 9000, 0xffff };
	h->flags = (uint8_t)(below(4) ? below(2) : rnd());
	h->gso_type = types[below(sizeof(types))];
	h->gso_size = below(2) ? sizes[below(sizeof(sizes) / 2)] : (uint16_t)rnd();
	h->hdr_len = (uint16_t)(below(2) ? 54 : rnd());
	h->csum_start = (uint16_t)(below(2) ? 34 : below(len + 2));
	h->csum_offset = (uint16_t)(below(2) ? below(32) : rnd());
	h->num_buffers = (uint16_t)rnd();
}

static void fuzz_net(unsigned long round)
{
	static struct vq_chain c;
	enum { SLOT = 8192 };
	static uint8_t bytes[16 * SLOT], frame[NET_ETH_MAX + 64];
	c.n = below(8) ? 1 + below(4) : below(16 + 1);
	bool writable = below(2);
	for (unsigned i = 0; i < c.n; i++) {
		static const uint32_t lens[] = { 12, 14, 60, 1514, 1526, 0, 1, 1527, 2048, 8192 };
		uint32_t len = below(2) ? lens[below(10)] : (uint32_t)below(SLOT + 1);
		c.buf[i] = (struct vq_buf){ .len = len, .writable = below(16) ? writable : !writable,
					    .index = (uint16_t)i, .host = bytes + SLOT * i };
		for (uint32_t k = 0; k < len; k += 8) {
			uint64_t v = below(4) ? 0 : rnd();
			memcpy(bytes + SLOT * i + k, &v, len - k < 8 ? len - k : 8);
		}
	}
	uint64_t in = 0, out = 0;
	for (unsigned i = 0; i < c.n; i++)
		*(c.buf[i].writable ? &in : &out) += c.buf[i].len;
	if (c.n && c.buf[0].len >= NET_HDR_SIZE && below(2)) {
		struct net_hdr h;
		random_net_hdr(&h, out > NET_HDR_SIZE ? out - NET_HDR_SIZE : 0);
		memcpy(c.buf[0].host, &h, sizeof(h));
	}
	uint64_t features = rnd() & (NET_F_CSUM | NET_F_GUEST_CSUM | NET_F_HOST_TSO4 |
				     NET_F_HOST_TSO6 | (1ull << 13) | (1ull << 14));
	size_t len;
	const char *why;
	struct net_hdr h;
	enum net_verdict v = net_tx_parse(&c, features, &h, &len, &why);
	if (v == NET_OK) {
		net_ok++;
		size_t max = h.gso_type == NET_GSO_NONE ? NET_ETH_MAX : NET_GSO_FRAME_MAX;
		if (in || len < NET_ETH_MIN || len > max || len + NET_HDR_SIZE != out || why)
			fail("net_tx_parse", round, "accepted a packet no Ethernet frame fits");
		if ((h.flags & NET_F_NEEDS_CSUM) &&
		    (!(features & NET_F_CSUM) || (size_t)h.csum_start + h.csum_offset + 2 > len))
			fail("net_tx_parse", round, "accepted a checksum it cannot place");
		uint64_t tso = h.gso_type == NET_GSO_TCPV4 ? NET_F_HOST_TSO4
			     : h.gso_type == NET_GSO_TCPV6 ? NET_F_HOST_TSO6 : 0;
		if (h.gso_type != NET_GSO_NONE &&
		    (!(features & tso) || h.gso_size < NET_GSO_SIZE_MIN || h.gso_size > NET_GSO_SIZE_MAX))
			fail("net_tx_parse", round, "accepted a segmentation not negotiated or unsound");
		if (h.flags & ~NET_F_NEEDS_CSUM || h.num_buffers)
			fail("net_tx_parse", round, "passed on flags or num_buffers");
		net_offloads_ok += h.flags || h.gso_type;
		if (len <= sizeof(frame) && net_gather(&c, NET_HDR_SIZE, frame, len) != len)
			fail("net_tx_parse", round, "a frame shorter than it said");
	} else if (!why) {
		fail("net_tx_parse", round, "refused without saying why");
	}
	size_t flen = below(4) ? NET_ETH_MIN + below(NET_ETH_MAX - NET_ETH_MIN + 1) : below(sizeof(frame));
	uint32_t written;
	random_net_hdr(&h, flen);
	if (below(2))
		h = (struct net_hdr){ 0 };
	v = net_rx_fill(&c, features, &h, frame, flen, &written, &why);
	if (v == NET_OK && (out || written != NET_HDR_SIZE + flen || written > in ||
			    flen < NET_ETH_MIN || flen > NET_ETH_MAX))
		fail("net_rx_fill", round, "wrote a frame that does not fit");
	if (v == NET_OK && (h.gso_type || ((h.flags & NET_F_NEEDS_CSUM) &&
					   !(features & NET_F_GUEST_CSUM))))
		fail("net_rx_fill", round, "gave a driver an offload it did not take");
	if (v != NET_OK && (written || !why))
		fail("net_rx_fill", round, "refused, yet wrote or did not say why");
}

/* The switch's software offloads: TCP frames of random headers and sizes, often sound.
 * A plan accepted must cut the frame into segments of at most NET_FRAME_MAX bytes that
 * carry each payload byte once, in order; a checksum accepted must lie inside. */
static unsigned long offload_segments;
static void fuzz_offload(unsigned long round)
{
	static uint8_t f[NET_GSO_FRAME_MAX], seg[NET_FRAME_MAX];
	size_t len = below(4) ? 54 + below(sizeof(f) - 53) : below(sizeof(f) + 1);
	bool v6 = below(2);
	for (size_t i = 0; i < 128 && i < len; i++)
		f[i] = (uint8_t)rnd();
	for (size_t i = 128; i < len; i++)
		f[i] = (uint8_t)i;
	if (below(4) && len >= 74) { /* a sound header, then perhaps one field broken */
		f[12] = v6 ? 0x86 : 0x08;
		f[13] = v6 ? 0xdd : 0x00;
		f[14] = v6 ? 0x60 : 0x45;
		f[v6 ? 20 : 23] = 6;
		if (!v6)
			f[20] = f[21] = 0;
		f[14 + (v6 ? 40 : 20) + 12] = 0x50;
		if (below(4))
			f[below(74)] = (uint8_t)rnd();
	}
	struct net_hdr h;
	random_net_hdr(&h, len);
	h.gso_type = below(4) ? (v6 ? NET_GSO_TCPV6 : NET_GSO_TCPV4) : h.gso_type;
	struct offload_gso p;
	const char *why = NULL;
	if (offload_gso_plan(&h, f, len, &p, &why)) {
		size_t payload = 0;
		for (unsigned i = 0; i < p.segments; i++) {
			size_t n = offload_gso_segment(&p, f, i, seg);
			if (n > NET_FRAME_MAX || n < p.payload)
				fail("offload_gso_segment", round, "a segment no frame fits");
			if (memcmp(seg + p.payload, f + p.payload + payload, n - p.payload))
				fail("offload_gso_segment", round, "a payload out of place");
			payload += n - p.payload;
			offload_segments++;
		}
		if (payload != len - p.payload || p.payload > len)
			fail("offload_gso_plan", round, "segments that do not add up to the frame");
	} else if (!why) {
		fail("offload_gso_plan", round, "refused without saying why");
	}
	if (offload_checksum(&h, f, len, &why) &&
	    (h.csum_start >= len || (size_t)h.csum_start + h.csum_offset + 2 > len))
		fail("offload_checksum", round, "a checksum outside the frame");
}

/* A link's ring between a writer and a reader, each side's counts and records now and then
 * scribbled on by the other: the reader never gets a record outside the ring, and what
 * the writer put is read back whole unless the ring was scribbled on. */
static void fuzz_net_ring(unsigned long round)
{
	static uint8_t link[NET_LINK_PAGES * 4096ul];
	struct net_ring w, r;
	net_ring_attach(&w, link, NET_RING_OUT);
	net_ring_attach(&r, link, NET_RING_OUT);
	net_ring_clear(&w);
	uint32_t start = (uint32_t)rnd() & ~7u; /* counts anywhere modulo 2^32 */
	w.count = r.count = start;
	w.ends->head = w.ends->tail = start;
	bool scribbled = false;
	for (int step = 0; step < 64; step++) {
		uint32_t len = below(4) ? (uint32_t)below(2000) : (uint32_t)below(NET_RECORD_MAX + 8);
		uint8_t *rec = net_ring_reserve(&w, len);
		if (rec) {
			for (uint32_t i = 0; i < len; i += 512)
				rec[i] = (uint8_t)(len + i);
			net_ring_commit(&w, len);
		} else if (len <= NET_RECORD_MAX && !scribbled && w.count == r.count) {
			fail("net_ring_reserve", round, "an empty ring refused a record");
		}
		if (!below(16)) { /* the other side misbehaves */
			scribbled = true;
			if (below(2))
				w.ends->head = (uint32_t)rnd();
			else
				memcpy(r.data + (rnd() % NET_RING_BYTES & ~3u), &(uint32_t){ (uint32_t)rnd() }, 4);
		}
		uint32_t n;
		const uint8_t *got;
		while ((got = net_ring_peek(&r, &n))) {
			if (got < r.data || got + n > r.data + NET_RING_BYTES || n > NET_RECORD_MAX)
				fail("net_ring_peek", round, "a record outside the ring");
			for (uint32_t i = 0; !scribbled && i < n; i += 512)
				if (got[i] != (uint8_t)(n + i))
					fail("net_ring_peek", round, "a record not as written");
			net_ring_release(&r, n);
		}
		if (r.broken) {
			if (!scribbled)
				fail("net_ring_peek", round, "a sound ring found broken");
			break;
		}
	}
}

/* The switch: random attach, detach and frames from random ports. A guest's MAC stays its
 * own while attached, a frame is never sent back or to a closed port, and a guest's frame
 * is admitted only with its own source. */
static void fuzz_switch(unsigned long round)
{
	static struct switch_table t;
	static uint8_t macs[SWITCH_PORTS][MAC_BYTES];
	static uint32_t open;
	if (round % 1000 == 0) {
		switch_init(&t);
		open = 1;
	}
	uint8_t f[SWITCH_FRAME_MAX];
	for (size_t i = 0; i < sizeof(f); i += 8) {
		uint64_t v = rnd();
		memcpy(f + i, &v, sizeof(f) - i < 8 ? sizeof(f) - i : 8);
	}
	unsigned port = (unsigned)below(SWITCH_PORTS);
	if (below(2)) /* addresses the table may know */
		memcpy(f, macs[below(SWITCH_PORTS)], MAC_BYTES);
	if (below(2))
		memcpy(f + MAC_BYTES, macs[port], MAC_BYTES);
	switch (below(8)) {
	case 0:
		if (port && !(open & (1u << port))) {
			uint8_t mac[MAC_BYTES] = { 0x02, 0x56, 0x69, 0x72, (uint8_t)rnd(), (uint8_t)rnd() };
			if (switch_attach(&t, port, mac)) {
				memcpy(macs[port], mac, MAC_BYTES);
				open |= 1u << port;
			}
		}
		break;
	case 1:
		if (port) {
			switch_detach(&t, port);
			open &= ~(1u << port);
		}
		break;
	default: {
		size_t len = below(4) ? 60 : below(sizeof(f) + 16);
		if (!(open & (1u << port)))
			break;
		enum switch_verdict v = switch_admit(&t, port, macs[port], f, len, SWITCH_FRAME_MAX);
		if (v == SWITCH_OK && port && memcmp(f + MAC_BYTES, macs[port], MAC_BYTES))
			fail("switch_admit", round, "admitted a guest frame with another source");
		if (v == SWITCH_OK && (len < SWITCH_FRAME_MIN || len > SWITCH_FRAME_MAX))
			fail("switch_admit", round, "admitted a frame of a bad size");
		uint32_t to = switch_route(&t, port, f, open);
		if (to & ~open || to & (1u << port))
			fail("switch_route", round, "a frame back to its port or to a closed one");
		break;
	}
	}
	for (unsigned p = 1; p < SWITCH_PORTS; p++)
		if ((open & (1u << p)) && switch_lookup(&t, macs[p]) != (int)p)
			fail("switch", round, "a guest lost its MAC to someone else");
}

/* A guest RAM size as a user could ask for it (ram=MiB), or anything at all. */
static uint64_t ram_size(void)
{
	switch (below(4)) {
	case 0:
		return (1 + below(GUEST_RAM_MAX >> 20)) << 20;
	case 1:
		return GUEST_RAM_MIN + (below(3) - 1) * 4096;
	case 2:
		return pick_interesting() + (below(3) - 1) * 4096;
	default:
		return rnd() >> below(64);
	}
}

/* A damaged Linux Image (a header on a short body) loaded into guest RAM, then an initrd and
 * the device tree placed above it: whatever is accepted lies within the RAM, the file and
 * its own place, and nothing overlaps. */
static void fuzz_image(unsigned long round, const uint8_t *seed, size_t seed_size)
{
	const uint64_t base = 0x80000000ull, ram = ram_size();
	size_t n;
	uint8_t *d = mutate(seed, seed_size, &n);
	struct linux_header h;
	if (n >= sizeof(h) && below(2)) { /* the header's sizes are what matters most */
		memcpy(&h, d, sizeof(h));
		h.text_offset = below(2) ? pick_interesting() + (below(3) - 1) * 2 : rnd() >> below(64);
		h.image_size = below(2) ? pick_interesting() + (below(3) - 1) : rnd() >> below(64);
		memcpy(d, &h, sizeof(h));
	}
	/* Sometimes a file that claims more than it has: only the header may be read then. */
	uint64_t size = below(8) ? n : pick_interesting() + n;
	if (size > n && !linux_header_read(d, n, &h))
		size = n;
	struct guest_image img;
	char why[128] = "";
	uint64_t limit = ram - GUEST_FDT_MAX, end = below(4) ? 0 : rnd() >> below(64);
	if (guest_image_plan(d, size, base, ram, below(2), &img, why, sizeof(why)) == 0) {
		images_ok++;
		if (img.npieces == 0 || img.npieces > ELF_MAX_SEGMENTS || img.end > limit ||
		    img.entry >= img.end)
			fail("image", round, "accepted an image that ends past its place in RAM");
		for (unsigned i = 0; i < img.npieces; i++) {
			const struct image_piece *p = &img.pieces[i];
			if (p->dst > img.end || p->memsz > img.end - p->dst || p->filesz > p->memsz ||
			    p->src > size || p->filesz > size - p->src)
				fail("image", round, "accepted a piece outside the file or the RAM");
		}
		end = img.end;
	} else if (!why[0]) {
		fail("image", round, "refused without a message");
	}
	struct guest_layout l;
	uint64_t initrd = below(4) ? below(ram) : below(2) ? pick_interesting() : rnd() >> below(64);
	why[0] = '\0';
	if (guest_layout_plan(ram, end, initrd, &l, why, sizeof(why)) == 0) {
		layouts_ok++;
		if (l.fdt != limit || end > l.fdt || (initrd && (l.initrd < end || l.initrd % 4096 ||
								  initrd > l.fdt - l.initrd)))
			fail("layout", round, "placed the initrd or device tree over the image or past RAM");
	} else if (!why[0]) {
		fail("layout", round, "refused without a message");
	}
	free(d);
}

/* The seed of fuzz_image: a boot image header (2 MiB in, 16 KiB with BSS) on 192 bytes. */
static uint8_t *linux_seed(size_t *size)
{
	struct linux_header h = { .text_offset = 0x200000, .image_size = 0x4000, .version = 2,
				  .magic = LINUX_MAGIC, .magic2 = LINUX_MAGIC2 };
	*size = sizeof(h) + 192;
	uint8_t *seed = calloc(1, *size);
	memcpy(seed, &h, sizeof(h));
	return seed;
}

/* What the receiver should hold, followed from outside: each byte the UART took (its count
 * grew), in order, until a FIFO reset empties it. */
struct uart_shadow {
	uint8_t b[UART16550_FIFO];
	unsigned len;
};

/* A byte sent towards the receiver; reached: not a line byte in loopback (cut off). */
static void uart_taken(const struct uart16550 *u, struct uart_shadow *sh, unsigned before,
		       uint8_t byte, bool reached, unsigned long round)
{
	if (reached && u->rx_len == before + 1) {
		sh->b[sh->len++] = byte;
	} else if (reached && u->rx_len == before && !(u->fcr & UART_FCR_ENABLE)) {
		/* A 16450 overrun: the new byte replaces the unread one. */
		if (u->rx[u->rx_head] != byte || !(u->line_errors & UART_LSR_OE))
			fail("uart16550", round, "a 16450 overrun kept the old byte or no OE");
		sh->b[0] = byte;
	} else if (u->rx_len != before) {
		fail("uart16550", round, "the receiver's count moved by more than the byte");
	} else if (reached && !(u->line_errors & UART_LSR_OE)) {
		fail("uart16550", round, "a byte was lost without an overrun");
	}
}

static void uart_check(const struct uart16550 *u, const struct uart_shadow *sh,
		       unsigned long round)
{
	bool fifo = u->fcr & UART_FCR_ENABLE;
	uint8_t iir = uart16550_iir(u), id = iir & 0x0f;
	if (u->rx_len > (fifo ? UART16550_FIFO : 1u) || u->rx_head >= UART16550_FIFO)
		fail("uart16550", round, "the receiver holds more than it has room for");
	if (u->rx_len != sh->len)
		fail("uart16550", round, "the receiver's count differs from the bytes it took");
	if (u->ier & 0xf0 || u->mcr & 0xe0 || u->line_errors & ~UART_LSR_OE)
		fail("uart16550", round, "a reserved bit or an impossible error is set");
	if ((iir & UART_IIR_FIFOS) != (fifo ? UART_IIR_FIFOS : 0) || (iir & 0x30))
		fail("uart16550", round, "IIR's FIFO bits disagree with FCR");
	if (uart16550_irq(u) == (bool)(iir & UART_IIR_NO_INT))
		fail("uart16550", round, "the interrupt line disagrees with IIR");
	bool rls = (u->ier & UART_IER_RLSI) && u->line_errors;
	bool rx = (u->ier & UART_IER_RDI) && u->rx_len;
	bool thr = (u->ier & UART_IER_THRI) && u->thre_pending;
	bool ms = (u->ier & UART_IER_MSI) && (u->msr & 0x0f);
	uint8_t want = rls ? UART_IIR_RLSI : rx ? id : thr ? UART_IIR_THRI : ms ? UART_IIR_MSI :
		       UART_IIR_NO_INT;
	if (id != want || (rx && !rls && id != UART_IIR_RDI && id != UART_IIR_TIMEOUT))
		fail("uart16550", round, "IIR names a source out of priority order");
	if (id == UART_IIR_TIMEOUT && !fifo)
		fail("uart16550", round, "a character timeout without FIFOs");
	uint8_t lines = u->mcr & UART_MCR_LOOP ? u->msr & 0xf0 : UART_MSR_LINE;
	if ((u->msr & 0xf0) != lines)
		fail("uart16550", round, "the modem inputs are not the line's");
}

static void fuzz_uart(unsigned long round)
{
	static const uint8_t likely[] = { 0x00, 0x01, 0x03, 0x07, 0x0f, 0x10, 0x1f, 0x80, 0x83,
					  0xc1, 0xc7, 0xff };
	struct uart16550 u;
	struct uart_shadow sh = { .len = 0 };
	uart16550_reset(&u);
	for (unsigned step = 0, steps = 1 + (unsigned)below(200); step < steps; step++) {
		unsigned reg = (unsigned)below(UART16550_REGS + 1); /* and one past the end */
		uint8_t v = below(2) ? likely[below(sizeof(likely))] : (uint8_t)rnd();
		unsigned before = u.rx_len;
		bool dlab = u.lcr & UART_LCR_DLAB;
		switch (below(4)) {
		case 0: /* the line, as the monitor feeds it: only when there is room */
			if (uart16550_can_receive(&u)) {
				uart16550_receive(&u, v);
				if (u.rx_len != before + 1)
					fail("uart16550", round, "a byte it had room for was not kept");
				uart_taken(&u, &sh, before, v, true, round);
				uart_bytes++;
			}
			break;
		case 1: /* the line regardless */
			uart16550_receive(&u, v);
			uart_taken(&u, &sh, before, v, !(u.mcr & UART_MCR_LOOP), round);
			break;
		case 2: {
			uint8_t got = uart16550_read(&u, reg);
			if (reg == UART_RBR && !dlab && before) {
				if (got != sh.b[0])
					fail("uart16550", round, "RBR gave a byte out of order");
				memmove(sh.b, sh.b + 1, --sh.len);
			}
			if (reg == UART_LSR && (bool)(got & UART_LSR_DR) != (before > 0))
				fail("uart16550", round, "LSR's DR disagrees with the receiver");
			if (reg == UART_LSR && (got & (UART_LSR_THRE | UART_LSR_TEMT)) !=
						       (UART_LSR_THRE | UART_LSR_TEMT))
				fail("uart16550", round, "the transmitter is not empty");
			break;
		}
		default: {
			int out = uart16550_write(&u, reg, v);
			bool sends = reg == UART_THR && !dlab && !(u.mcr & UART_MCR_LOOP);
			if (out != (sends ? v : -1))
				fail("uart16550", round, "a write sent the wrong thing to the line");
			if (reg == UART_THR && !dlab && (u.mcr & UART_MCR_LOOP))
				uart_taken(&u, &sh, before, v, true, round);
			else if (u.rx_len == 0)
				sh.len = 0; /* a FIFO reset */
			else if (u.rx_len != before)
				fail("uart16550", round, "a register write moved the receiver");
		}
		}
		uart_check(&u, &sh, round);
	}
}

int main(int argc, char **argv)
{
	if (argc != 6) {
		fprintf(stderr, "usage: %s ROUNDS SEED ELF CPIO DTB\n", argv[0]);
		return 2;
	}
	unsigned long rounds = strtoul(argv[1], NULL, 0);
	rng_state = strtoull(argv[2], NULL, 0) | 1;
	size_t elf_size, cpio_size, dtb_size, linux_size;
	uint8_t *elf = load(argv[3], &elf_size), *cpio = load(argv[4], &cpio_size),
		*dtb = load(argv[5], &dtb_size), *linux_image = linux_seed(&linux_size);
	for (unsigned long round = 0; round < rounds; round++) {
		fuzz_elf(round, elf, elf_size);
		fuzz_cpio(round, cpio, cpio_size);
		fuzz_dtb(round, dtb, dtb_size);
		fuzz_decode(round);
		fuzz_virtqueue(round);
		fuzz_blk(round);
		fuzz_net(round);
		fuzz_offload(round);
		fuzz_net_ring(round);
		fuzz_switch(round);
		fuzz_image(round, linux_image, linux_size);
		fuzz_uart(round);
		fuzz_fuse(round);
		fuzz_agent(round);
		fuzz_fs(round, rnd);
	}
	free(elf);
	free(cpio);
	free(dtb);
	free(linux_image);
	printf("fuzz: %lu rounds (seed %s), no failure; accepted: %lu ELF images, %lu cpio "
	       "entries, %lu device trees, %lu instructions, %lu virtqueue chains, %lu guest images, "
	       "%lu guest layouts, %lu UART bytes, %lu disk requests, %lu FUSE requests, %lu agent "
	       "frames, %lu network packets (%lu with offloads), %lu segments\n", rounds, argv[2],
	       elf_ok, cpio_entries, dtb_ok, decoded, chains, images_ok, layouts_ok, uart_bytes,
	       blk_ok, fuse_ok, agent_frames, net_ok, net_offloads_ok, offload_segments);
	fuzz_fs_report();
	return 0;
}
