/* virtio-fs: hostile FUSE requests to Vireo's monitor's file-system device (virtio 1.2
 * section 5.11) from inside a VM. Each must come back as an error reply, never reach the
 * file-system server unchecked: requests before INIT, names with '/' or 256 bytes or no
 * NUL, a header whose len lies, unknown opcodes, a made-up node id, a read over max_write,
 * a write past the largest file; a FORGET of anything gets no reply. A request without room
 * for even a reply header breaks the device (DEVICE_NEEDS_RESET) until a reset; after it the
 * device serves again. Requests are polled: the monitor serves a queue at its notify.
 *
 * Vireo only: the monitor gives a guest the device when its file-system server runs (the
 * machine has a disk); it is found by its device id among the virtio-mmio slots. */
#include "fuse_request.h"
#include "lib.h"

#define SLOT0 0x10001000UL
#define SLOTS 8
#define MAGIC 0x000
#define DEVICE_ID 0x008
#define DRIVER_FEATURES 0x020
#define DRIVER_FEATURES_SEL 0x024
#define QUEUE_SEL 0x030
#define QUEUE_NUM 0x038
#define QUEUE_READY 0x044
#define QUEUE_NOTIFY 0x050
#define STATUS 0x070
#define QUEUE_DESC_LOW 0x080
#define QUEUE_DRIVER_LOW 0x090
#define QUEUE_DEVICE_LOW 0x0a0
#define CONFIG 0x100
#define S_DRIVER_OK 4
#define S_FEATURES_OK 8
#define S_NEEDS_RESET 64
#define FS_DEVICE 26

#define QSIZE 8
#define DESC_F_NEXT 1
#define DESC_F_WRITE 2
#define REQUEST_QUEUE 1

struct desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};
struct ring {
	struct desc desc[QSIZE];
	struct { uint16_t flags, idx, ring[QSIZE], used_event; } avail;
	uint16_t pad;
	struct { uint16_t flags, idx; struct { uint32_t id, len; } ring[QSIZE]; } used;
} __attribute__((aligned(4096)));
static struct ring rings[2]; /* hiprio, request */

static unsigned long dev;
static uint8_t req[1024], reply[8192];
static uint8_t huge[600 * 1024]; /* longer than any request the monitor serves */
static uint16_t avail_idx[2];

static uint32_t rd(unsigned off) { return mmio_read32(dev + off); }
static void wr(unsigned off, uint32_t v) { mmio_write32(dev + off, v); }
static void fence(void) { __asm__ volatile("fence rw, rw" : : : "memory"); }

static bool find_device(void)
{
	for (unsigned i = 0; i < SLOTS; i++) {
		unsigned long base = SLOT0 + i * 0x1000;
		if (mmio_read32(base + MAGIC) == 0x74726976 && mmio_read32(base + DEVICE_ID) == FS_DEVICE) {
			dev = base;
			return true;
		}
	}
	return false;
}

static bool init_device(void)
{
	wr(STATUS, 0);
	wr(STATUS, 1 | 2);
	wr(DRIVER_FEATURES_SEL, 1);
	wr(DRIVER_FEATURES, 1); /* VERSION_1 */
	wr(DRIVER_FEATURES_SEL, 0);
	wr(DRIVER_FEATURES, 0);
	wr(STATUS, 1 | 2 | S_FEATURES_OK);
	memset(rings, 0, sizeof(rings));
	avail_idx[0] = avail_idx[1] = 0;
	for (unsigned q = 0; q < 2; q++) {
		wr(QUEUE_SEL, q);
		wr(QUEUE_NUM, QSIZE);
		wr(QUEUE_DESC_LOW, (uint32_t)(uintptr_t)rings[q].desc);
		wr(QUEUE_DRIVER_LOW, (uint32_t)(uintptr_t)&rings[q].avail);
		wr(QUEUE_DEVICE_LOW, (uint32_t)(uintptr_t)&rings[q].used);
		wr(QUEUE_READY, 1);
	}
	wr(STATUS, 1 | 2 | S_FEATURES_OK | S_DRIVER_OK);
	return rd(STATUS) == (1 | 2 | S_FEATURES_OK | S_DRIVER_OK);
}

/* One request of len bytes at buf on queue q with reply_len writable bytes: the bytes the
 * device wrote, or -1 if it did not use the chain. */
static long send_from(const uint8_t *buf, unsigned q, uint32_t len, uint32_t reply_len)
{
	struct ring *r = &rings[q];
	memset(reply, 0xee, sizeof(reply));
	r->desc[0] = (struct desc){ (uintptr_t)buf, len, reply_len ? DESC_F_NEXT : 0, 1 };
	r->desc[1] = (struct desc){ (uintptr_t)reply, reply_len, DESC_F_WRITE, 0 };
	r->avail.ring[avail_idx[q] % QSIZE] = 0;
	fence();
	r->avail.idx = ++avail_idx[q];
	fence();
	wr(QUEUE_NOTIFY, q);
	fence();
	if (*(volatile uint16_t *)&r->used.idx != avail_idx[q])
		return -1;
	return r->used.ring[(uint16_t)(avail_idx[q] - 1) % QSIZE].len;
}

static long send(unsigned q, uint32_t len, uint32_t reply_len)
{
	return send_from(req, q, len, reply_len);
}

static uint32_t req_len;

static void start(uint32_t opcode, uint64_t nodeid)
{
	struct fuse_in_header h = { .opcode = opcode, .unique = 100 + avail_idx[1],
				    .nodeid = nodeid };
	memcpy(req, &h, sizeof(h));
	req_len = sizeof(h);
}

static void put(const void *p, uint32_t n)
{
	memcpy(req + req_len, p, n);
	req_len += n;
}

/* Sends what start/put built, with its true length: the reply's error, or 1 when no
 * proper reply came. */
static int32_t call(uint32_t reply_room)
{
	memcpy(req, &req_len, 4);
	long n = send(REQUEST_QUEUE, req_len, reply_room);
	struct fuse_out_header h;
	memcpy(&h, reply, sizeof(h));
	if (n < (long)sizeof(h) || h.len != n)
		return 1;
	return h.error;
}

static void lookup(const char *name, uint32_t len)
{
	start(FUSE_LOOKUP, FUSE_ROOT_ID);
	put(name, len);
}

void main(unsigned long hartid, unsigned long dtb)
{
	(void)hartid;
	(void)dtb;
	if (!check(find_device(), "a virtio-fs device among the virtio-mmio slots"))
		finish();
	bool tag = true;
	for (unsigned i = 0; i < 6; i++)
		tag &= *(volatile char *)(dev + CONFIG + i) == "share"[i];
	check(tag, "its tag is \"share\"");
	check(init_device(), "negotiated VERSION_1, hiprio and request queues ready");

	start(FUSE_GETATTR, FUSE_ROOT_ID);
	put(&(struct fuse_getattr_in){ 0 }, sizeof(struct fuse_getattr_in));
	check(call(sizeof(reply)) == -FUSE_EIO, "GETATTR before INIT: EIO");

	struct fuse_init_in init = { .major = 7, .minor = 31, .max_readahead = 65536,
				     .flags = 0xffffffffu };
	start(FUSE_INIT, 0);
	put(&init, sizeof(init));
	int32_t err = call(sizeof(reply));
	struct fuse_init_out out;
	memcpy(&out, reply + sizeof(struct fuse_out_header), sizeof(out));
	check(err == 0 && out.major == 7 && out.minor == 31, "INIT: protocol 7.31");
	check(out.flags == (FUSE_BIG_WRITES | FUSE_MAX_PAGES) && out.map_alignment == 0,
	      "INIT grants only BIG_WRITES and MAX_PAGES of every flag asked (no DAX): %x",
	      out.flags);
	check(out.max_write == 512 * 1024, "max_write is 512 KiB (%u)", out.max_write);

	start(FUSE_GETATTR, FUSE_ROOT_ID);
	put(&(struct fuse_getattr_in){ 0 }, sizeof(struct fuse_getattr_in));
	err = call(sizeof(reply));
	struct fuse_attr_out attr;
	memcpy(&attr, reply + sizeof(struct fuse_out_header), sizeof(attr));
	check(err == 0 && (attr.attr.mode & 0170000) == 0040000, "GETATTR of the root: a directory");

	lookup("no-such-file", 13);
	check(call(sizeof(reply)) == -FUSE_ENOENT, "LOOKUP of a missing name: ENOENT");
	lookup("../etc", 7);
	check(call(sizeof(reply)) == -FUSE_EINVAL, "LOOKUP of a name with '/': EINVAL");
	lookup("..", 3);
	check(call(sizeof(reply)) == -FUSE_EINVAL, "LOOKUP of \"..\": EINVAL");
	lookup("abc", 3);
	check(call(sizeof(reply)) == -FUSE_EINVAL, "LOOKUP of a name without its NUL: EINVAL");
	lookup("ab\0cd", 6);
	check(call(sizeof(reply)) == -FUSE_EINVAL, "LOOKUP of a name with a NUL inside: EINVAL");
	static char longname[300];
	memset(longname, 'x', 256);
	lookup(longname, 257);
	check(call(sizeof(reply)) == -FUSE_ENAMETOOLONG, "LOOKUP of 256 bytes: ENAMETOOLONG");

	lookup("f", 2);
	uint32_t lie = req_len + 64;
	memcpy(req, &lie, 4);
	long n = send(REQUEST_QUEUE, req_len, sizeof(reply));
	struct fuse_out_header h;
	memcpy(&h, reply, sizeof(h));
	check(n == 16 && h.error == -FUSE_EINVAL, "a header whose len says 64 bytes more: EINVAL");

	start(5 /* READLINK */, FUSE_ROOT_ID);
	check(call(sizeof(reply)) == -FUSE_ENOSYS, "READLINK (not served): ENOSYS");
	start(4242, FUSE_ROOT_ID);
	check(call(sizeof(reply)) == -FUSE_ENOSYS, "opcode 4242: ENOSYS");

	start(FUSE_GETATTR, 0x12345678deadbeefull);
	put(&(struct fuse_getattr_in){ 0 }, sizeof(struct fuse_getattr_in));
	err = call(sizeof(reply));
	check(err < 0 && err != 1, "GETATTR of a made-up node id: an error (%d)", err);
	start(FUSE_GETATTR, 0);
	put(&(struct fuse_getattr_in){ 0 }, sizeof(struct fuse_getattr_in));
	check(call(sizeof(reply)) == -FUSE_EINVAL, "GETATTR of node 0: EINVAL");

	struct fuse_io_in io = { .offset = 0, .size = 256 * 1024 };
	start(FUSE_READ, FUSE_ROOT_ID);
	put(&io, sizeof(io));
	check(call(sizeof(reply)) == -FUSE_EINVAL, "READ of 256 KiB, over max_write: EINVAL");
	io = (struct fuse_io_in){ .offset = ~0ull - 2, .size = 4 };
	start(FUSE_WRITE, FUSE_ROOT_ID);
	put(&io, sizeof(io));
	put("abcd", 4);
	check(call(sizeof(reply)) == -FUSE_EFBIG, "WRITE wrapping past 2^64: EFBIG");
	io.size = 100;
	io.offset = 0;
	start(FUSE_WRITE, FUSE_ROOT_ID);
	put(&io, sizeof(io));
	put("abcd", 4);
	check(call(sizeof(reply)) == -FUSE_EINVAL, "WRITE with less data than it says: EINVAL");

	/* A WRITE whose header claims the longest request served while its buffer holds more:
	 * refused as too long, not cut to what the header says. */
	uint32_t claimed = 40 + 88 + 2 * 256 + 512 * 1024;
	struct fuse_in_header big = { .len = claimed, .opcode = FUSE_WRITE, .unique = 7,
				      .nodeid = FUSE_ROOT_ID };
	io = (struct fuse_io_in){ .size = claimed - 80 };
	memcpy(huge, &big, sizeof(big));
	memcpy(huge + sizeof(big), &io, sizeof(io));
	n = send_from(huge, REQUEST_QUEUE, sizeof(huge), sizeof(reply));
	memcpy(&h, reply, sizeof(h));
	check(n == 16 && h.error == -FUSE_EINVAL, "a 600 KiB request: EINVAL (%d)", h.error);

	uint64_t nlookup = 1;
	start(FUSE_FORGET, 0x777);
	put(&nlookup, 8);
	memcpy(req, &req_len, 4);
	check(send(0, req_len, 0) == 0, "FORGET of a made-up node on hiprio: used, no reply");

	/* No room for a reply header: the device breaks until a reset. */
	start(FUSE_STATFS, FUSE_ROOT_ID);
	memcpy(req, &req_len, 4);
	send(REQUEST_QUEUE, req_len, 8);
	check(rd(STATUS) & S_NEEDS_RESET, "a reply room of 8 bytes: DEVICE_NEEDS_RESET");
	check(init_device(), "set up again after a reset");
	start(FUSE_INIT, 0);
	put(&init, sizeof(init));
	check(call(sizeof(reply)) == 0, "INIT again");
	start(FUSE_STATFS, FUSE_ROOT_ID);
	struct fuse_statfs_out st;
	err = call(sizeof(reply));
	memcpy(&st, reply + sizeof(struct fuse_out_header), sizeof(st));
	check(err == 0 && st.bsize && st.blocks && st.namelen == 255,
	      "STATFS after all that: %lu blocks of %u bytes", (unsigned long)st.blocks, st.bsize);
	wr(STATUS, 0);
	finish();
}
