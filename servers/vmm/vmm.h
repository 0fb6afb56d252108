/* The VM monitor: loads guests from the boot file system, writes their device trees, runs
 * them through the kernel's VM calls and emulates the devices the kernel leaves to it. */
#ifndef VMM_H
#define VMM_H

#include <stdbool.h>
#include <stdint.h>

#include "uart16550.h"
#include "vireo.h"
#include "virtio_console.h"
#include "virtio_mmio.h"

#define MAX_GUESTS 8 /* as many as the kernel's VM table holds (hv/vm.h MAX_VMS) */
#define OUTPUT_KEEP 4096 /* guest output kept while nobody is attached */

/* The guest physical map (include/vireo/syscall.h has the kernel's part of it). */
#define TESTDEV_BASE 0x10000000ul
#define TESTDEV_SIZE 0x1000ul
#define TESTDEV_IRQ 1
/* virtio-mmio devices where QEMU's virt puts its slots, one page each; their interrupts
 * follow the test device's. The guest sees only the devices that exist (docs/design.md 6.10); its
 * PLIC's sources end at the UART's (below), the last. */
#define VIRTIO_MMIO_BASE 0x10001000ul
#define VIRTIO_IRQ_BASE 2
#define GUEST_MAX_VIRTIO 8 /* sources 2-9 */
/* The ns16550a UART, one page past QEMU virt's eight virtio slots (0x10001000-0x10008fff),
 * since QEMU's own place for it, 0x10000000, is the test device's. Its interrupt is QEMU
 * virt's UART interrupt, above every virtio device's. The clock is QEMU's too: 115200 baud
 * is divisor 2. */
#define UART_BASE 0x10010000ul
#define UART_SIZE 0x1000ul
#define UART_IRQ 10
#define UART_CLOCK_HZ 3686400u
_Static_assert(VIRTIO_MMIO_BASE + GUEST_MAX_VIRTIO * VIRTIO_MMIO_SIZE <= UART_BASE,
	       "the virtio slots stop short of the UART");
#define UART_TX_BATCH VIREO_VM_CONSOLE_MAX
#define UART_RX_QUEUE 4096 /* keyboard bytes kept for the guest while its FIFO is full */
#define UART_FLUSH_US 20000 /* the longest a transmitted byte waits for its batch to go */
#define GUEST_WARNINGS_MAX 20 /* device warnings shown per guest; the rest are dropped */

struct testdev {
	uint8_t scratch[64];
};

/* uart.c: the register file, and the bytes on their way in and out. */
struct uart {
	struct uart16550 regs;
	bool line; /* the interrupt line as last set on the virtual PLIC */
	uint8_t rx[UART_RX_QUEUE];
	unsigned rx_head, rx_len;
	char tx[UART_TX_BATCH];
	unsigned tx_len;
};

/* The guest's volume on the block server (virtio_blk.c), from `disk=NAME [size=MiB]`. */
struct guest_disk {
	char name[VIREO_NAME_MAX]; /* "": no disk */
	uint64_t create_mib;       /* its size if it must be made; 0: it must exist */
	uint64_t session, sectors; /* open on the block server */
};

/* The guest's port on the network server (virtio_net.c): its NIC when the machine has one. */
/* The network server's news: frames wait for some port. Bits 0 to 7 of the monitor's
 * notification word are its own; the rest are the devices' wake bits (VIRTIO_WAKE_BITS). */
#define NET_NOTIFY_BIT (1u << 1)
#define LANE_BIT (1u << 2) /* a lane's runner has an exit for the main thread (lanes.c) */
struct guest_net {
	uint64_t port; /* 0: no NIC */
	uint8_t mac[6];
	void *link;    /* the port's rings, shared with the server (protocol.h NET_LINK) */
	uint64_t takes; /* the NET_TAKES_* the server was last told */
	uint64_t sent, received, dropped, refused;
};

struct guest {
	uint64_t id;     /* 0: a free slot */
	unsigned slot;   /* its place in the monitor's table, which fixes where its RAM is mapped */
	uint64_t vm;     /* the VM handle */
	unsigned lanes;  /* threads its vCPUs run on: the main thread and lanes - 1 runners */
	char name[VIREO_NAME_MAX];
	char path[64], initrd[64], bootargs[256];
	uint64_t ram_size, ram_va, ncpus;
	uint64_t reboots;
	bool linux_only;  /* the image must be a Linux Image (the shell's linux command) */
	struct testdev dev;
	unsigned nvirtio;
	struct virtio_mmio virtio[GUEST_MAX_VIRTIO];
	struct uart uart;
	struct guest_disk disk;
	struct vcons cons; /* virtio-console's ports and the agent of `linux exec` */
	struct guest_net net;
	unsigned warnings;
	struct vireo_vm_exit exit;
	bool attached;
	uint64_t notify_ep, notify_bits; /* told when the guest ends */
	char kept[OUTPUT_KEEP];
	unsigned kept_len;
};

/* main.c: one line in the guest's console stream about something it did wrong with a
 * device; after GUEST_WARNINGS_MAX of them, the rest are dropped so a guest cannot flood. */
void guest_warn(struct guest *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* main.c: guest output, to the console while attached, kept otherwise. */
void guest_output(struct guest *g, const char *s, size_t n);
/* main.c: the monitor's endpoint, for backends to notify devices' wake bits on. */
uint64_t monitor_endpoint(void);
/* main.c: a wake-up of the monitor within about UART_FLUSH_US, which then flushes every
 * guest's UART output (for a guest that went idle right after writing). */
void monitor_flush_later(void);
/* main.c: an exit of the guest's, from the main thread's lane or a runner's; the guest's
 * end, told to whoever is attached. */
void guest_handle_exit(struct guest *g, struct vireo_vm_exit *e);
void guest_end(struct guest *g, const char *what);
/* lanes.c: how many lanes a guest of ncpus may have, given the runner threads left; the
 * runners of lanes 1 and up of a new VM, or VIREO_E_FULL or why not; stopping them before
 * the VM goes (they are joined); and the main thread's turn at LANE_BIT. */
unsigned lanes_available(uint64_t ncpus);
int64_t lanes_start(struct guest *g, unsigned lanes);
void lanes_stop(struct guest *g);
void lanes_serve(void);
/* guest.c: building and starting a VM from a command line like the shell's vm run. */
int64_t guest_start(struct guest *g, const char *args, char *why, size_t why_len);
/* Makes a fresh VM of the same guest: image reloaded, RAM otherwise kept (a reboot). */
int64_t guest_restart(struct guest *g, char *why, size_t why_len);
void guest_free(struct guest *g);
/* fdt.c */
int64_t guest_fdt(const struct guest *g, void *buf, size_t size, const struct vireo_vm_config *cfg,
		  uint64_t initrd_start, uint64_t initrd_end);
/* virtio_blk.c: opens the volume g->disk names (none: nothing to do), closes it. */
int64_t virtio_blk_open(struct guest *g, char *why, size_t why_len);
void virtio_blk_close(struct guest *g);
/* agent.c: VMM_EXEC, VMM_EXEC_INPUT, _SIGNAL and _STATUS for guest g. */
void agent_request(struct guest *g, const struct msg *m, uint64_t caller, uint64_t handle);
/* virtio_net.c: opens a network port for g when the machine has a NIC (none: nothing to
 * do), closes it; takes what waits for g's port, when the network server says so. */
void virtio_net_open(struct guest *g);
void virtio_net_close(struct guest *g);
void virtio_net_receive(struct guest *g);
/* testdev.c: the MMIO test device (Vireo's "vireo,test-mmio"). */
uint64_t testdev_access(struct guest *g, uint64_t offset, unsigned width, bool write,
			uint64_t value);

/* uart.c: the guest's ns16550a. */
void uart_init(struct guest *g);
uint64_t uart_access(struct guest *g, uint64_t offset, unsigned width, bool write,
		     uint64_t value);
/* Keyboard bytes for the guest's UART: queued, and fed to its FIFO as room comes; returns
 * how many the queue took (the shell sends the rest again). */
size_t uart_input(struct guest *g, const char *s, size_t n);
/* What the guest transmitted so far goes to guest_output. */
void uart_flush(struct guest *g);
/* Whether the UART is the guest's console: its command line names no console, or names a
 * ttyS last (as Linux, the last console= is /dev/console). Keyboard input goes to it then,
 * and to the SBI console otherwise. */
bool uart_is_console(const struct guest *g);
/* The value of the last console= word of the guest's command line (up to a space), or NULL. */
const char *guest_console(const struct guest *g);

#endif
