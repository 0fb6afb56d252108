/* The file system's disk: the block server's volume "share", opened (and made, the first
 * time) through BLOCK_OPEN, read and written through the buffer the block server gives
 * this server alone. */
#include <string.h>

#include "vireo.h"
#include "volume.h"

#define BUFFER_VA (VIREO_USER_HEAP + 0x40000000ul)
#define SECTORS_PER_BLOCK (FS_BLOCK / BLKDEV_SECTOR)
#define DEFAULT_MAX_MIB 256 /* a quarter of the free disk, up to this */
#define MIN_MIB 4

static uint64_t block_ep, session, buffer_bytes;
static uint8_t *const buffer = (uint8_t *)BUFFER_VA;

static int64_t status_of(const struct msg *r)
{
	return r->status < 0 ? r->status : (int64_t)r->w[0];
}

static int transfer(uint32_t label, uint64_t block, uint32_t count, uint8_t *bytes)
{
	uint64_t per_call = buffer_bytes / FS_BLOCK;
	for (uint32_t done = 0; done < count;) {
		uint32_t n = count - done < per_call ? count - done : (uint32_t)per_call;
		if (label == BLOCK_WRITE)
			memcpy(buffer, bytes + (uint64_t)done * FS_BLOCK, (uint64_t)n * FS_BLOCK);
		struct msg r = ipc_call(block_ep, vireo_ipc_info(label, 0), session,
					(block + done) * SECTORS_PER_BLOCK, n * SECTORS_PER_BLOCK, 0);
		if (status_of(&r))
			return FS_EIO;
		if (label == BLOCK_READ)
			memcpy(bytes + (uint64_t)done * FS_BLOCK, buffer, (uint64_t)n * FS_BLOCK);
		done += n;
	}
	return 0;
}

static int volume_read(void *ctx, uint64_t block, uint32_t count, void *buf)
{
	(void)ctx;
	return transfer(BLOCK_READ, block, count, buf);
}

static int volume_write(void *ctx, uint64_t block, uint32_t count, const void *buf)
{
	(void)ctx;
	return transfer(BLOCK_WRITE, block, count, (uint8_t *)buf);
}

static int volume_flush(void *ctx)
{
	(void)ctx;
	struct msg r = ipc_call(block_ep, vireo_ipc_info(BLOCK_FLUSH, 0), session, 0, 0, 0);
	return status_of(&r) ? FS_EIO : 0;
}

/* The size for a new volume: a quarter of the disk's free space (from the summary line of
 * BLOCK_LIST, "disk: N MiB, M MiB in volumes"), between MIN_MIB and DEFAULT_MAX_MIB. */
static uint64_t default_mib(void)
{
	struct msg r = ipc_call(block_ep, vireo_ipc_info(BLOCK_LIST, 0), 0, 0, 0, 0);
	size_t n = vireo_ipc_len(r.info);
	if (status_of(&r) || n == 0 || n >= VIREO_IPC_DATA_MAX)
		return MIN_MIB;
	char text[VIREO_IPC_DATA_MAX];
	memcpy(text, ipc_buffer()->data, n);
	text[n] = '\0';
	const char *p = strstr(text, "disk: ");
	uint64_t disk = 0, used = 0;
	for (p = p ? p + 6 : ""; *p >= '0' && *p <= '9'; p++)
		disk = disk * 10 + (uint64_t)(*p - '0');
	for (p = strstr(p, ", ") ? strstr(p, ", ") + 2 : ""; *p >= '0' && *p <= '9'; p++)
		used = used * 10 + (uint64_t)(*p - '0');
	uint64_t free_mib = disk > used + 1 ? disk - used - 1 : 0; /* 1 MiB: the volume table */
	uint64_t mib = free_mib / 4;
	return mib < MIN_MIB ? MIN_MIB : mib > DEFAULT_MAX_MIB ? DEFAULT_MAX_MIB : mib;
}

int64_t volume_open(struct fs_dev *dev, uint64_t *created_mib)
{
	int64_t ep = lookup("block");
	if (ep < 0)
		return ep;
	block_ep = (uint64_t)ep;
	*created_mib = 0;
	struct msg r = ipc_call(block_ep, ipc_data(BLOCK_OPEN, VOLUME_NAME, strlen(VOLUME_NAME)),
				0, 0, 0, 0);
	if (status_of(&r) == VIREO_E_NOENT) {
		*created_mib = default_mib();
		r = ipc_call(block_ep, ipc_data(BLOCK_OPEN, VOLUME_NAME, strlen(VOLUME_NAME)),
			     *created_mib, 0, 0, 0);
	}
	if (status_of(&r))
		return status_of(&r);
	if (!(r.info & VIREO_IPC_HANDLE))
		return VIREO_E_INVAL;
	session = r.w[1];
	buffer_bytes = r.w[3];
	uint64_t handle = ipc_buffer()->handle;
	int64_t pages = vireo_syscall(SYS_MEMORY_MAP, (long)handle, (long)BUFFER_VA,
				      VIREO_PROT_READ | VIREO_PROT_WRITE, 0, 0, 0);
	if (pages < 0)
		return pages;
	if (buffer_bytes < FS_BLOCK || (uint64_t)pages * 4096 < buffer_bytes)
		return VIREO_E_INVAL;
	*dev = (struct fs_dev){ NULL, r.w[2] / SECTORS_PER_BLOCK, volume_read, volume_write,
				volume_flush };
	return 0;
}
