/* The IPC protocols between Vireo's servers: message labels and their words. Data bytes
 * travel in the IPC buffer (struct vireo_ipc_buffer). Replies carry a status in w0: 0 or a
 * negative VIREO_E_* code. */
#ifndef VIREO_PROTOCOL_H
#define VIREO_PROTOCOL_H

#include <stdint.h>

/* Every task init starts gets init's endpoint in handle 1. The services get what they
 * need after it: the console driver its UART (2) and the log right (3), the shell a
 * system handle without VIREO_RIGHT_VM (2), the VM monitor one with only that right (2). */
#define VIREO_HANDLE_INIT 1
#define VIREO_UART_DEVICE 2
#define VIREO_UART_LOG_RIGHT 3
#define VIREO_SHELL_SYSTEM 2
#define VIREO_VMM_VM_RIGHT 2

enum init_label {
	/* data = name (1 to 15 bytes); the handle sent along is the service's endpoint. The
	 * names of the services init starts ("console", "vmm") are theirs alone; any other name
	 * is its first registrant's until that task ends, and only it may register it again.
	 * Only tasks init started may register. Refused: VIREO_E_RIGHTS. */
	INIT_REGISTER = 1,
	/* data = name -> a handle to the service's endpoint (the reply waits until it exists;
	 * VIREO_E_DEAD for a service init has given up restarting). */
	INIT_LOOKUP,
	/* data = path in the bootfs -> w1 = task id. The caller is the task's parent. */
	INIT_SPAWN,
	/* w0 = task id -> w1 = its exit status, once it has ended. Only its parent may wait
	 * (others: VIREO_E_RIGHTS); a task whose parent ended first is waited for by nobody. */
	INIT_WAIT,
	/* data = directory path, w0 = index -> w1 = 1 and data = the index-th entry's name, with
	 * w2 = its size and w3 = 1 for a directory; w1 = 0 past the end. */
	INIT_LIST,
	/* data = path, w0 = offset -> data = bytes from there (empty at the end), w1 = size. */
	INIT_READ,
	/* data = path -> w1 = where the file's bytes start in the bootfs, w2 = its size; the
	 * handle that comes back is the bootfs, a memory object to map read-only. */
	INIT_OPEN,
	/* data = name, handle = an endpoint, w0 = bits: notified once when the task holding the
	 * name ends (for "console" or "vmm" while nobody holds it, the next one to hold it). Watch
	 * first, then look up, so that the endpoint looked up is the one watched. One watch per
	 * task and name; watching again replaces it. */
	INIT_WATCH,
	/* w0 = task id -> data = the bootfs path of the service init started as that task
	 * ("/boot/bin/vmm"); VIREO_E_NOENT for any other task. Servers that serve only some of
	 * init's services (the block server) ask this about their callers. */
	INIT_WHOIS,
};

enum console_label {
	CONSOLE_WRITE = 1, /* data = bytes */
	/* w1 = the most bytes wanted (0: up to VIREO_IPC_DATA_MAX) -> data = at least one byte
	 * of input, waiting for it if needed; with w0 = 1, what input there is now, possibly
	 * none. Input beyond w1 stays for the next read. */
	CONSOLE_READ,
	/* handle = an endpoint, w0 = bits: notified whenever input arrives; without a handle,
	 * the subscription ends. */
	CONSOLE_SUBSCRIBE,
};

/* The VM monitor ("vmm"). A VM is named by its id. */
enum vmm_label {
	/* data = "PATH [ram=MiB] [cpus=N] [initrd=PATH] [-- bootargs...]" -> w1 = VM id, data =
	 * its name; started attached, as VMM_ATTACH, when a handle comes along (w1 = its bits). */
	VMM_START = 1,
	/* w0 = id; handle = an endpoint, w1 = bits notified when the VM ends -> data = its name.
	 * Guest output goes to the console until VMM_DETACH; what it printed while detached
	 * comes first. */
	VMM_ATTACH,
	VMM_DETACH,  /* w0 = id */
	/* w0 = id, data = keyboard bytes for the guest -> w1 = how many its console input took;
	 * it has room for a few hundred: send the rest again once it has read some. */
	VMM_INPUT,
	VMM_KILL,    /* w0 = id */
	VMM_LIST,    /* -> data = a text table of the VMs */
	/* -> data = each VM's devices with their counts, a line each (hvstat) */
	VMM_DEVSTAT,
	/* `linux exec` (docs/agent.md). w0 = id (0: the first guest whose agent is up, else the
	 * first Linux guest), data = a command line for the guest's sh, handle = an endpoint
	 * and w1 = bits notified when the command ends -> w2 = the VM's id; on failure data =
	 * why, and w1 = 1 when it is that the guest has no agent (yet). Its stdout and stderr
	 * go to the console as they come. */
	VMM_EXEC,
	VMM_EXEC_INPUT,  /* w0 = id, data = stdin bytes (none: its end) -> w1 = 1 if taken */
	VMM_EXEC_SIGNAL, /* w0 = id, w1 = a signal number for the command (2: SIGINT) */
	/* w0 = id -> w1 = 0 running, 1 exited with status w2, 2 ended without a status */
	VMM_EXEC_STATUS,
};

/* The virtio-blk driver ("blkdev", drivers/virtio-blk): the host disk in 512-byte sectors,
 * read and written through its DMA buffers. It serves the block server only. */
#define BLKDEV_SECTOR 512
#define BLKDEV_HANDLE_DEVICE 2 /* the driver's device handle, with VIREO_RIGHT_DMA */
enum blkdev_buffer { BLKDEV_BUF_META, BLKDEV_BUF_DATA, BLKDEV_NBUFS };
enum blkdev_label {
	/* -> w1 = the disk's sectors, w2 = bytes in each buffer, w3 = 1 if it flushes */
	BLKDEV_INFO = 1,
	/* w0 = enum blkdev_buffer -> handle = that buffer (map and write, transferable) */
	BLKDEV_BUFFER,
	/* w0 = buffer, w1 = first sector, w2 = sectors: between the disk and the buffer's start */
	BLKDEV_READ,
	BLKDEV_WRITE,
	/* Whatever was written is on the disk (VIRTIO_BLK_T_FLUSH to QEMU's image). */
	BLKDEV_FLUSH,
	/* w0 = a tag, data = 1 to BLOCK_IOV_MAX struct block_iov (sectors of the disk),
	 * handle = a grant (syscall.h) whose bytes are their data one after another, in at
	 * most VIREO_GRANT_SEGS physical runs. Answered at once: accepted (0), or an error and
	 * nothing done (VIREO_E_BUSY: BLKDEV_BATCHES are in flight). The requests go to the
	 * device all at once, by DMA straight to and from the granted pages, which stay pinned
	 * until all are done; then the batch is BLKDEV_DONE's and the subscriber is notified. */
	BLKDEV_IOV,
	/* handle = an endpoint, w0 = bits: notified whenever batches are done */
	BLKDEV_SUBSCRIBE,
	/* -> w1 = n, data = n struct block_done of the batches done since the last call */
	BLKDEV_DONE,
};
#define BLKDEV_GRANT_MAX (4ul << 20) /* data bytes in one request of a batch */
#define BLKDEV_BATCHES 32

/* A request of a BLKDEV_IOV or BLOCK_IOV batch. */
struct block_iov {
	uint64_t sector;  /* the first, of the disk (BLKDEV_IOV) or the volume (BLOCK_IOV) */
	uint32_t sectors; /* 1 to BLKDEV_GRANT_MAX / BLKDEV_SECTOR */
	uint32_t write;   /* 1: from the grant to the disk; 0: from the disk to the grant */
};
/* A batch done: its tag, and a bit for each of its requests that failed (bit i: iov[i]). */
struct block_done {
	uint64_t tag, failed;
};
#define BLOCK_IOV_MAX 8

/* The block server ("block", servers/block): volumes carved from the host disk. It serves
 * the VM monitor (everything) and the shell (BLOCK_LIST, BLOCK_CREATE, BLOCK_DELETE). */
#define BLOCK_NAME_MAX 16 /* with its terminating NUL */
enum block_label {
	BLOCK_LIST = 1,  /* -> data = a text table of the volumes */
	BLOCK_CREATE,    /* data = name, w0 = MiB */
	BLOCK_DELETE,    /* data = name; VIREO_E_BUSY while open */
	/* data = name, w0 = MiB to create it with if missing (0: it must exist) -> w1 = a
	 * session id, w2 = the volume's sectors, w3 = bytes in the buffer, handle = the buffer
	 * that BLOCK_READ and BLOCK_WRITE move data through. A volume has one session at a time:
	 * VIREO_E_BUSY while another has it open. */
	BLOCK_OPEN,
	BLOCK_CLOSE,     /* w0 = session */
	/* w0 = session, w1 = first sector of the volume, w2 = sectors (at most the buffer's):
	 * between the volume and the buffer's start. */
	BLOCK_READ,
	BLOCK_WRITE,
	BLOCK_FLUSH,     /* w0 = session */
	/* w0 = session, w1 = a tag, data = 1 to BLOCK_IOV_MAX struct block_iov (sectors of
	 * the volume), handle = a grant of their data (syscall.h, "Grants"): between the volume
	 * and the granted memory with no copy, as BLKDEV_IOV. Answered at once, accepted (0)
	 * or refused; once done the batch is BLOCK_DONE's and the session's watcher is
	 * notified. The server checks every range, passes the grant to the driver and keeps
	 * no handle to it. */
	BLOCK_IOV,
	BLOCK_WATCH,     /* w0 = session, handle = an endpoint, w1 = bits: BLOCK_IOV's news */
	/* w0 = session -> w1 = n, data = n struct block_done of its batches done */
	BLOCK_DONE,
	/* w0 = session: answered once none of its batches is in flight (before a reset) */
	BLOCK_DRAIN,
};

/* Ethernet frames as the network's drivers and servers pass them: destination MAC, source
 * MAC, type, payload; no preamble, no frame check sequence. A frame on the wire is at most
 * NET_FRAME_MAX bytes; one asking for segmentation (NET_GSO_*) may be up to
 * NET_GSO_FRAME_MAX, an IP datagram of 64 KiB (its 16-bit length) behind the header. */
#define NET_FRAME_MIN 14   /* the Ethernet header alone */
#define NET_FRAME_MAX 1514 /* a 1500-byte MTU's payload under the header */
#define NET_GSO_FRAME_MAX (14 + 65535)
#define NET_MAC_BYTES 6
/* A MAC travels in one word: byte i of the address in bits 8i..8i+7. */

/* Each frame goes with the offloads it asks for, as struct virtio_net_hdr (virtio 1.2
 * section 5.1.6, little-endian): a checksum to fill in (NET_F_NEEDS_CSUM at csum_start +
 * csum_offset, summed from csum_start) and TCP segmentation into gso_size payloads. */
struct net_hdr {
	uint8_t flags, gso_type;
	uint16_t hdr_len, gso_size, csum_start, csum_offset, num_buffers;
};
#define NET_HDR_BYTES 12
#define NET_F_NEEDS_CSUM 1
#define NET_F_DATA_VALID 2 /* received: the checksum was checked */
#define NET_GSO_NONE 0
#define NET_GSO_TCPV4 1
#define NET_GSO_UDP 3
#define NET_GSO_TCPV6 4
#define NET_GSO_ECN 0x80
/* What a port (or the NIC) takes as it is; the switch completes the rest in software. */
#define NET_TAKES_CSUM 1 /* frames with NET_F_NEEDS_CSUM */
#define NET_TAKES_TSO4 2
#define NET_TAKES_TSO6 4

/* Frames travel in a link: a memory object of NET_LINK_PAGES that two tasks map, holding two
 * rings of NET_RING_BYTES, each written by one side and read by the other. A ring's record
 * is a 32-bit length n, then n bytes (a struct net_hdr and a frame), padded to 8 bytes;
 * NET_RING_PAD as length skips to the ring's start. head (bytes written) and tail (bytes
 * read) run free modulo 2^32, on cache lines of their own; each side trusts only its own
 * count and checks the other's (servers/net/net_ring.h). Ring 0 carries frames towards
 * the wire (a guest's, the switch's to the NIC), ring 1 frames from it. */
#define NET_RING_BYTES (512u << 10)
#define NET_RING_PAD 0xffffffffu
#define NET_RING_OUT 0
#define NET_RING_IN 1
struct net_ring_ends {
	uint32_t head, pad0[15];
	uint32_t tail, pad1[15];
};
#define NET_LINK_PAGES (1 + 2 * NET_RING_BYTES / 4096) /* the ends, then ring 0, ring 1 */

/* The virtio-net driver ("netdev", drivers/virtio-net): QEMU's NIC. It serves the network
 * server only, which makes the link: ring 0 holds frames to send, ring 1 frames received. */
#define NETDEV_HANDLE_DEVICE 2 /* the driver's device handle, with VIREO_RIGHT_DMA */
enum netdev_label {
	NETDEV_INFO = 1,  /* -> w1 = the NIC's MAC, w2 = NET_TAKES_* the NIC does itself */
	/* handle = an endpoint, w0 = bits: notified whenever frames were put in ring 1 */
	NETDEV_SUBSCRIBE,
	/* handle = the link (its rings emptied) -> w1 = frames the device gave with a length
	 * no frame has, dropped so far */
	NETDEV_LINK,
	/* Frames wait in ring 0, or ring 1 has room again: a call rather than a notification,
	 * so that they go to the device now, not at the driver's next turn to run */
	NETDEV_KICK,
};

/* The network server ("net", servers/net): a switch between the host NIC and one port per
 * guest, each port with its own MAC. It serves the VM monitor only, which makes each port's
 * link: ring 0 the guest's frames, ring 1 the frames for it. */
enum net_label {
	/* handle = an endpoint, w0 = bits: notified when frames were put in the port's ring 1
	 * -> w1 = the port, w2 = its MAC. VIREO_E_FULL when every port is open. */
	NET_OPEN = 1,
	NET_CLOSE,  /* w0 = port */
	/* w0 = port, handle = its link, w1 = NET_TAKES_* the guest takes (0 at first) */
	NET_LINK,
	/* w0 = port: the server takes every frame in the port's ring 0, whose source must be
	 * the port's MAC -> w1 = the port's frames refused so far, w2 = the first refused
	 * frame's source MAC; w0 = its refusal: VIREO_E_RIGHTS for another source MAC,
	 * VIREO_E_INVAL for a size or header no network carries */
	NET_SEND,
	/* w0 = port, w1 = NET_TAKES_* the guest now takes (it negotiated them) */
	NET_OFFLOADS,
};

#endif
