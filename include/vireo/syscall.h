/* Vireo's system call interface: the one header the kernel and every user program share.
 *
 * Calling convention: ecall with the call number in a7 and arguments in a0..a5. The result
 * comes back in a0: >= 0 for success (a value or 0), or a negative VIREO_E* error. IPC
 * calls return more words in a1..a6 (see below). No call leaves half-applied state: every
 * argument is checked before anything changes.
 *
 * Objects are named by handles: small integers indexing a per-task table, each with rights.
 * A task starts with the handles its creator passed it, in slots 1, 2, ... (slot 0 is
 * never valid, so a zeroed variable is never a live handle).
 */
#ifndef VIREO_SYSCALL_H
#define VIREO_SYSCALL_H

#include <stdint.h>

enum vireo_syscall {
	SYS_EXIT,            /* (code) ends the calling task */
	SYS_YIELD,           /* () gives up the rest of the time slice */
	SYS_LOG_WRITE,       /* (ptr, len) writes to the kernel console and log, see below */
	SYS_LOG_READ,        /* (system, offset, ptr, len) -> bytes copied from the kernel log */
	SYS_CLOCK,           /* () -> microseconds since the machine's reset */
	SYS_ENDPOINT_CREATE, /* () -> endpoint handle; the caller is its receiver */
	SYS_CALL,            /* (ep, info, w0, w1, w2, w3) -> reply, see IPC */
	SYS_RECV,            /* (ep) -> next message or notification, see IPC */
	SYS_REPLY,           /* (caller, info, w0, w1, w2, w3) answers a caller */
	SYS_NOTIFY,          /* (ep, bits) ORs bits into the endpoint's notification word */
	SYS_TIMER_SET,       /* (ep, bits, delay_us) notifies bits once after delay_us */
	SYS_HANDLE_CLOSE,    /* (handle) */
	SYS_MEM_ALLOC,       /* (vaddr, npages, prot) maps zeroed pages at vaddr */
	SYS_MEM_FREE,        /* (vaddr, npages) unmaps what SYS_MEM_ALLOC mapped */
	SYS_TASK_SPAWN,      /* (struct vireo_spawn *) -> task handle */
	SYS_TASK_STATUS,     /* (task) -> VIREO_TASK_RUNNING, or exit status (struct below) */
	SYS_TASK_LIST,       /* (system, index, struct vireo_task_info *) -> 1, or 0 past the end */
	SYS_TASK_KILL,       /* (system, task id) */
	SYS_MEM_INFO,        /* (system, struct vireo_mem_info *) */
	SYS_DEVICE_MAP,      /* (device, vaddr) maps the device's registers at vaddr */
	SYS_IRQ_BIND,        /* (device, ep, bits) its interrupt notifies bits on ep */
	SYS_IRQ_ACK,         /* (device) the driver has served it: let it fire again */
	SYS_SYSTEM_RESET,    /* (system, VIREO_RESET_*) */
	SYS_REPLY_RECV,      /* (ep, caller, info, w0, w1, w2, w3) SYS_REPLY then SYS_RECV */
	/* Virtual machines (the hypervisor, hv/): a user-mode monitor drives them. */
	SYS_VM_CREATE,       /* (system, struct vireo_vm_config *) -> VM handle */
	SYS_VM_MAP,          /* (vm, gpa, vaddr, size) guest RAM: the caller's SYS_MEM_ALLOC pages */
	SYS_VM_RUN,          /* (vm, struct vireo_vm_exit *, ep, lane) -> runs until an exit, see below */
	SYS_VM_INPUT,        /* (vm, ptr, len) -> bytes queued for the guest's console input */
	SYS_VM_IRQ,          /* (vm, irq, level) sets a guest interrupt line on its virtual PLIC */
	SYS_VM_STAT,         /* (system, index, struct vireo_vm_stat *) -> 1, or 0 past the end */
	SYS_MEMORY_CREATE,   /* (npages) -> handle to a memory object of zeroed pages, see below */
	SYS_MEMORY_MAP,      /* (memory, vaddr, prot) maps all of it at vaddr -> its npages */
	SYS_HANDLE_COPY,     /* (handle, rights) -> a new handle with only these of its rights */
	SYS_RANDOM,          /* (ptr, len) fills len <= VIREO_RANDOM_MAX bytes with random ones */
	SYS_QUOTA_CREATE,    /* (system, npages) -> handle to a memory quota, see below */
	SYS_DMA_PIN,         /* (device, memory) -> the memory's physical address, see below */
	SYS_DMA_RESET,       /* (device) resets the device, then drops its pins */
	SYS_MEMORY_GRANT,    /* (struct vireo_grant_seg *, n) -> handle to a grant, see below */
	SYS_MEMORY_REVOKE,   /* (grant) its granter: no device may pin it from now on */
	SYS_DMA_PIN_RUNS,    /* (device, memory, struct vireo_dma_run *, max) -> runs, see DMA */
	SYS_DMA_UNPIN,       /* (device, memory) drops the pin SYS_DMA_PIN* took */
	/* Threads of the calling task, see below. */
	SYS_THREAD_CREATE,   /* (entry, stack top, arg) -> thread id; it starts at entry(arg) */
	SYS_THREAD_EXIT,     /* (value) ends the calling thread; the last one ends its task */
	SYS_THREAD_JOIN,     /* (thread id) waits for a thread of the task to end -> its value */
	SYS_THREAD_LIST,     /* (system, task id, index, struct vireo_thread_info *) -> 1 or 0 */
	SYS_VM_STOP,         /* (vm) every SYS_VM_RUN on it returns VIREO_E_DEAD from now on */
	SYS_COUNT
};

enum vireo_error {
	VIREO_OK = 0,
	VIREO_E_INVAL = -1,     /* a malformed argument */
	VIREO_E_BADHANDLE = -2, /* not a handle of this task, or of the wrong type */
	VIREO_E_RIGHTS = -3,    /* the handle lacks the right */
	VIREO_E_NOMEM = -4,     /* no memory, or no free handle slot */
	VIREO_E_FAULT = -5,     /* a pointer to memory the task may not use */
	VIREO_E_DEAD = -6,      /* the other side is gone */
	VIREO_E_BUSY = -7,      /* already in use (an address, an interrupt) */
	VIREO_E_NOSYS = -8,     /* no such call */
	VIREO_E_NOENT = -9,     /* no such thing (task id, name) */
	VIREO_E_BADELF = -10,   /* the program image is not a loadable RISC-V executable */
	VIREO_E_NOENTROPY = -11, /* SYS_RANDOM: the firmware passed no seed (/chosen/rng-seed) */
	VIREO_E_LIMIT = -12,    /* over the task's memory quota */
	VIREO_E_FULL = -13,     /* a fixed-size kernel table is full (tasks, VMs) */
};

/* Rights on a handle. */
#define VIREO_RIGHT_SEND (1u << 0)    /* endpoint: call, notify */
#define VIREO_RIGHT_RECV (1u << 1)    /* endpoint: receive, set timers */
#define VIREO_RIGHT_CONTROL (1u << 2) /* task: status; system: everything */
#define VIREO_RIGHT_TRANSFER (1u << 3) /* may be passed on to another task */
#define VIREO_RIGHT_MAP (1u << 4)     /* memory: map it readable */
#define VIREO_RIGHT_WRITE (1u << 5)   /* memory: map it writable too */
#define VIREO_RIGHT_VM (1u << 6)      /* system: create VMs */
#define VIREO_RIGHT_LOG (1u << 7)     /* system: read the kernel log; write it unmarked */
#define VIREO_RIGHT_DMA (1u << 8)     /* device: pin memory for it to read and write */

/*
 * Authority over the machine is the system handle's: init gets it with every right and
 * hands out narrowed copies (SYS_HANDLE_COPY). CONTROL lists, kills and resets, and makes
 * quotas; VM makes virtual machines (the monitor's only); LOG reads the kernel log.
 * Any task may write the log, but lines from a task without LOG come out marked with its
 * name, "[name] ...", so that no task can pass its words off as the kernel's or a service's.
 *
 * Memory quotas: every page a task is charged for (its memory, page tables, kernel stack,
 * memory objects it created, its VMs' tables) counts against its quota, and a charge past
 * the limit fails with VIREO_E_LIMIT. A task spawned with a quota handle gets that quota,
 * one spawned without shares its spawner's, so a program and all it starts draw from one
 * limit. init's own quota is the whole machine.
 */

/*
 * Memory objects carry bulk data between tasks: one task creates one (its creator is
 * charged for the pages until the last reference goes), passes a handle along in a message,
 * possibly narrowed to VIREO_RIGHT_MAP with SYS_HANDLE_COPY, and each side maps it with
 * SYS_MEMORY_MAP in the SYS_MEM_ALLOC region. SYS_MEM_FREE(vaddr, npages) unmaps it; the
 * pages go back once no handle and no mapping is left. The boot file system is one too,
 * read-only (init hands it out, protocol.h INIT_OPEN).
 */

/*
 * DMA: a driver whose device handle has VIREO_RIGHT_DMA pins a memory object it may write
 * (MAP and WRITE) for its device with SYS_DMA_PIN and learns the physical address of its
 * first page (the pages are contiguous). No other task ever learns a physical address. A
 * pinned object lives on, whatever its handles, until SYS_DMA_RESET (or the next driver's)
 * has reset the device or SYS_DMA_UNPIN has dropped the pin, so a device never writes to
 * pages handed out again. Up to VIREO_DMA_PINS objects per device; pinning one twice
 * gives the same address and takes no second pin.
 */
#define VIREO_DMA_PINS 64

/*
 * Grants (SYS_MEMORY_GRANT): byte ranges of the caller's own memory (SYS_MEM_ALLOC pages,
 * such as a monitor's guest RAM) that it lets another task's driver reach for one request
 * without copying: say a guest's read buffers, sent along with the request to the block
 * server, which passes the handle on to the disk driver. A grant is a memory object that
 * no task can map (SYS_MEMORY_MAP refuses it); its bytes are the ranges in the order given,
 * up to VIREO_GRANT_SEGS of them, none empty, all inside one mapping (else VIREO_E_FAULT). Pages the caller has
 * not touched yet are zeroed first. The handle has MAP, WRITE and TRANSFER; while the grant
 * lives its caller is charged a page (its list of runs).
 * A driver pins a grant for its device with SYS_DMA_PIN_RUNS, which writes up to max
 * physical runs (struct vireo_dma_run, physically touching ranges merged), in the grant's
 * byte order, and returns how many there are (VIREO_E_FULL, pinning nothing, if more than
 * max); it works on any memory object (one run for a contiguous one). SYS_DMA_UNPIN lets
 * go once the device is done with it. The pages stay allocated while a grant, a pin or a
 * mapping holds them, whoever unmaps them or ends, so a device never reaches pages handed
 * out again. SYS_MEMORY_REVOKE (the granter's, e.g. for a guest that went away) makes
 * every later pin fail with VIREO_E_DEAD; pins taken before stay until unpinned or reset.
 */
#define VIREO_GRANT_SEGS 256
struct vireo_grant_seg {
	uint64_t va, len;
};
struct vireo_dma_run {
	uint64_t pa, len;
};

/*
 * IPC: synchronous call and reply with a few words in registers, and up to
 * VIREO_IPC_DATA_MAX bytes and one handle through the thread's IPC buffer page.
 *
 * info = label | (data bytes << 32) | VIREO_IPC_HANDLE when a handle goes along.
 * SYS_CALL(ep, info, w0..w3) blocks until the receiver replies; returns a0 = 0 or an error,
 *   a1 = reply info, a2..a5 = reply words; reply data and handle land in the IPC buffer.
 * SYS_RECV(ep) blocks until a call or notification; returns a0 = caller id (> 0), a1 = info,
 *   a2..a5 = words, a6 = the caller's task id. A notification comes as caller id 0 with
 *   label VIREO_LABEL_NOTIFY and w0 = the bits (all pending bits at once, then cleared).
 * SYS_REPLY(caller, ...) answers a caller that is waiting on this task, in any order.
 * SYS_REPLY_RECV(ep, caller, ...) replies (caller 0: to nobody) and receives in one call,
 *   the server loop's fast path; a failed reply (the caller is gone) is not reported.
 */
#define VIREO_IPC_HANDLE (1ul << 48)
#define VIREO_IPC_DATA_MAX 4000
#define VIREO_LABEL_NOTIFY 0xffffffffu
#define vireo_ipc_info(label, len) ((uint64_t)(uint32_t)(label) | ((uint64_t)(len) << 32))
#define vireo_ipc_label(info) ((uint32_t)(info))
#define vireo_ipc_len(info) ((uint32_t)(((info) >> 32) & 0xffff))

struct vireo_ipc_buffer {
	uint64_t handle; /* the handle to send, or the slot of the one received */
	uint64_t reserved;
	uint8_t data[VIREO_IPC_DATA_MAX];
};

/* The user address space (Sv39 lower half; the kernel's map sits below 0x20_0000_0000).
 * QEMU's TLB is indexed by the low bits of the page number (64 entries at least), and an
 * entry for device registers that another page pushes out is refilled at its next access,
 * never found in the victim cache. So the device window and the IPC buffer start at page
 * indices 32 and 40, clear of the first pages of a program (from 0), its stack (down from
 * 48) and each other: with the UART at index 0 beside the IPC buffer, every byte the
 * console driver wrote refilled the TLB, and a 60-byte line took 6 ms instead of 0.2 ms. */
#define VIREO_USER_BASE 0x2000000000ul     /* programs are linked here */
#define VIREO_USER_HEAP 0x2800000000ul     /* SYS_MEM_ALLOC region starts here */
#define VIREO_USER_DEVICES 0x3000020000ul  /* SYS_DEVICE_MAP region */
#define VIREO_USER_BOOTFS 0x3800000000ul   /* init: the boot file system, read-only */
#define VIREO_USER_IPC_BUFFER 0x3f00028000ul
/* Thread n of a task (0 is the first) has its IPC buffer n strides up: 64 pages apart, so
 * each keeps TLB index 40. */
#define VIREO_USER_IPC_STRIDE (64 * 4096ul)
#define VIREO_USER_STACK_TOP 0x3fffff0000ul
#define VIREO_USER_STACK_SIZE (64 * 1024)   /* with an unmapped guard page below */
#define VIREO_USER_END 0x4000000000ul
#define VIREO_TLB_INDEX(va) (((va) >> 12) % 64)
_Static_assert(VIREO_TLB_INDEX(VIREO_USER_DEVICES) == 32 &&
		       VIREO_TLB_INDEX(VIREO_USER_IPC_BUFFER) == 40 &&
		       VIREO_TLB_INDEX(VIREO_USER_BASE) == 0 && VIREO_TLB_INDEX(VIREO_USER_STACK_TOP) == 48,
	       "the windows' TLB indices, as the comment above says");

#define VIREO_PROT_READ 1
#define VIREO_PROT_WRITE 2

/* SYS_TASK_SPAWN: the ELF image is read from the caller's memory. */
#define VIREO_SPAWN_HANDLES 6
#define VIREO_NAME_MAX 16
struct vireo_spawn {
	const void *elf;
	uint64_t elf_size;
	char name[VIREO_NAME_MAX];
	/* Passed to the new task in slots 1..n; 0 ends the list. */
	uint64_t handles[VIREO_SPAWN_HANDLES];
	uint64_t exit_ep, exit_bits; /* notified when the task ends; exit_ep 0 for none */
	uint64_t arg;                /* the new task's a0 at entry */
	uint64_t quota;              /* a quota handle for it; 0: it shares the caller's */
	uint64_t id;                 /* out: the new task's id */
};

/* SYS_TASK_STATUS: a running task, or how it ended. */
#define VIREO_TASK_RUNNING (-100)
#define VIREO_EXIT_KILLED (1 << 16) /* killed (fault or SYS_TASK_KILL); low bits: cause */
#define VIREO_EXIT_FAULT (1 << 17)

enum vireo_task_state { VIREO_STATE_RUNNING, VIREO_STATE_READY, VIREO_STATE_BLOCKED,
			VIREO_STATE_DEAD };

struct vireo_task_info {
	uint64_t id;
	char name[VIREO_NAME_MAX];
	uint64_t state; /* enum vireo_task_state of its thread */
	uint64_t pages; /* pages charged to it: its memory, page tables, kernel stack */
	uint64_t parent;
};

/*
 * Threads: a task has up to VIREO_THREADS_MAX, sharing its address space and handles. Each
 * has its own IPC buffer page (at VIREO_USER_IPC_BUFFER + n * VIREO_USER_IPC_STRIDE) and its
 * own kernel stack, and starts with tp holding its IPC buffer's address (the first thread
 * too), which is how the library finds it. SYS_THREAD_CREATE(entry, stack, arg) starts one
 * at entry with a0 = arg and sp = stack, which must be 16-byte aligned with a writable page
 * below it (the library puts an unmapped guard page under each stack); entry must be
 * executable. A thread ends with SYS_THREAD_EXIT(value) (the library's thread_create() calls it when
 * the thread's function returns); its value
 * (the low 31 bits) waits for one SYS_THREAD_JOIN by another thread of its task, and its
 * slot stays taken until then. The task ends when its last thread exits (with that value as
 * its status) or when it is killed or faults: then every thread ends at once.
 */
#define VIREO_THREADS_MAX 8

struct vireo_thread_info {
	uint64_t id;
	uint64_t state; /* enum vireo_task_state */
	uint64_t hart;  /* the hart it last ran on */
};

struct vireo_mem_info {
	uint64_t total_pages, free_pages, kernel_pages; /* kernel: used, not charged to tasks */
};

/* SYS_RANDOM: bytes from the kernel's ChaCha20 generator, seeded once at boot from the
 * device tree's /chosen/rng-seed (QEMU's virt passes 32 bytes). Without a seed there is no
 * generator and every call fails with VIREO_E_NOENTROPY rather than hand out guessable
 * bytes. Any task may call it; longer requests take several calls. */
#define VIREO_RANDOM_MAX 4096

#define VIREO_RESET_POWEROFF 0
#define VIREO_RESET_REBOOT 1

/*
 * Virtual machines. The guest physical map the monitor describes in the guest's device
 * tree: its devices below VIREO_GUEST_RAM, RAM from VIREO_GUEST_RAM. The kernel emulates
 * the PLIC; accesses to the monitor's device windows come back from SYS_VM_RUN as MMIO
 * exits; anything else is an access fault injected into the guest.
 */
#define VIREO_GUEST_PLIC 0x0c000000ul
#define VIREO_GUEST_RAM 0x80000000ul
#define VIREO_VM_MAX_VCPUS 8
#define VIREO_VM_MAX_DEVICES 8
#define VIREO_ISA_MAX 512

struct vireo_vm_config {
	char name[VIREO_NAME_MAX];
	uint64_t nvcpus;
	uint64_t entry, arg1;     /* vCPU 0 starts at entry with a0 = 0, a1 = arg1 */
	uint64_t plic_ndev;       /* the virtual PLIC's sources, 1..63 */
	uint64_t ndevices;
	struct { uint64_t base, size; } devices[VIREO_VM_MAX_DEVICES]; /* the monitor's */
	/* Written back by SYS_VM_CREATE, for the guest's device tree: the harts' ISA in
	 * riscv,isa form (the host's less what Vireo does not virtualize), their mmu-type
	 * ("" if the host's tree has none) and cache-block sizes (0 without the extension). */
	uint64_t host_sstc, timebase_hz;
	char isa[VIREO_ISA_MAX];
	char mmu_type[16];
	uint32_t cbom_block_size, cboz_block_size;
	/* In: how many threads the monitor will run the vCPUs on at once (0 or 1: one). Out:
	 * the VM's lanes, at most one per host hart and per vCPU. vCPU i is in lane i % lanes,
	 * and lane l runs on host hart l, in SYS_VM_RUN(vm, exit, ep, l) of one thread at a
	 * time, so the lanes of one VM run side by side. */
	uint64_t lanes;
};

/* SYS_VM_RUN returns 0 with *exit filled. After an MMIO read, the monitor puts the value in
 * exit->mmio.value before it calls SYS_VM_RUN again, which completes the load. It runs the
 * vCPUs of one lane (struct vireo_vm_config). Lane 0's calls take turns with the monitor's
 * other VMs (VIREO_VM_EXIT_SLICE) and watch ep; another lane's call runs only its own vCPUs,
 * takes ep 0, and never reports SHUTDOWN (lane 0 does, once every vCPU is stopped). */
enum vireo_vm_exit_reason {
	VIREO_VM_EXIT_MMIO = 1,  /* mmio: a device access for the monitor to emulate */
	VIREO_VM_EXIT_CONSOLE,   /* console: output from the guest (it may come with any exit) */
	VIREO_VM_EXIT_MONITOR,   /* ep has a message or notification for the monitor */
	VIREO_VM_EXIT_SHUTDOWN,  /* code: the guest powered off (SBI SRST) */
	VIREO_VM_EXIT_REBOOT,    /* the guest asked for a reset (SBI SRST) */
	VIREO_VM_EXIT_FAULT,     /* code, pc: the guest cannot go on (e.g. looping on faults) */
	VIREO_VM_EXIT_SLICE,     /* the time slice ended: the monitor may run another VM */
	VIREO_VM_EXIT_HALTED,    /* vcpu, pc: WFI with every interrupt disabled on every vCPU */
};

/* As much guest output as the monitor can pass to the console in one IPC message. */
#define VIREO_VM_CONSOLE_MAX VIREO_IPC_DATA_MAX

struct vireo_vm_exit {
	uint64_t reason, vcpu;
	uint64_t code, pc;
	struct {
		uint64_t gpa, value;
		uint32_t width, is_write;
	} mmio;
	uint64_t console_len;
	char console[VIREO_VM_CONSOLE_MAX];
};

/* SYS_VM_STAT: exits by cause and interrupts injected, for the shell's hvstat. */
enum vireo_vm_exit_cause {
	VM_CAUSE_SBI_BASE, VM_CAUSE_SBI_LEGACY, VM_CAUSE_SBI_TIME, VM_CAUSE_SBI_IPI,
	VM_CAUSE_SBI_RFENCE, VM_CAUSE_SBI_HSM, VM_CAUSE_SBI_SRST, VM_CAUSE_SBI_DBCN,
	VM_CAUSE_SBI_OTHER, VM_CAUSE_MMIO_KERNEL, VM_CAUSE_MMIO_MONITOR, VM_CAUSE_ACCESS_FAULT,
	VM_CAUSE_VIRTUAL_INSN, VM_CAUSE_WFI, VM_CAUSE_TIMER_IRQ, VM_CAUSE_EXTERNAL_IRQ,
	VM_CAUSE_RAM_FIRST_TOUCH, /* a guest-page fault that mapped a chunk of guest RAM */
	VM_CAUSE_SBI_PMU,
	VM_CAUSE_COUNT
};

/* The last exits of each vCPU, oldest first from recent[count % VIREO_VM_EXIT_RING]: what
 * `hvstat -v` and GDB's `vireo exits` show (docs/debugging.md). */
#define VIREO_VM_EXIT_RING 16
struct vireo_vm_exit_record {
	uint64_t scause; /* why the guest trapped to the hypervisor (priv spec 8.6.1) */
	uint64_t pc;     /* the guest's pc then */
	/* An SBI call: its extension id << 32 | function id, each cut to 32 bits; a guest-page
	 * fault: the guest physical address; any other exception: stval; an interrupt: 0. */
	uint64_t detail;
};

struct vireo_vm_exit_ring {
	uint64_t count; /* the vCPU's exits so far */
	struct vireo_vm_exit_record recent[VIREO_VM_EXIT_RING];
};

struct vireo_vm_stat {
	uint64_t id;
	char name[VIREO_NAME_MAX];
	uint64_t nvcpus, ram_pages;
	uint64_t exits[VM_CAUSE_COUNT];
	uint64_t timer_injected, external_injected;
	struct vireo_vm_exit_ring ring[VIREO_VM_MAX_VCPUS];
};

#endif
