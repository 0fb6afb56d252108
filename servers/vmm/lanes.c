/* The threads that run a guest's lanes past the first (struct vireo_vm_config), so that its
 * vCPUs run side by side on the host's harts. Each runs its lane in SYS_VM_RUN and hands
 * every exit to the main thread, which alone touches the devices and the guest table, so
 * that no device model needs a lock: the runner marks its exit waiting, raises LANE_BIT on
 * the monitor's endpoint and waits on an endpoint of its own for RUN_ON or RUN_STOP. */
#include "vmm.h"

#define RUNNERS_MAX (VIREO_THREADS_MAX - 1) /* the main thread is the task's first */
#define RUN_ON 1
#define RUN_STOP 2

struct runner {
	bool used;
	struct guest *g;
	unsigned lane;
	struct thread thread;
	uint64_t vm; /* its own copy of the VM handle: the main thread's may close first */
	uint64_t ep; /* where the main thread answers it */
	bool waiting; /* exit holds an exit for the main thread (atomic) */
	bool done;    /* it has ended, with error: to be joined (atomic) */
	int64_t error;
	struct vireo_vm_exit exit;
};

static struct runner runners[RUNNERS_MAX];

static int run_lane(uint64_t index)
{
	struct runner *r = &runners[index];
	for (;;) {
		r->error = vireo_syscall(SYS_VM_RUN, (long)r->vm, (long)&r->exit, 0, (long)r->lane,
					 0, 0);
		if (r->error)
			break;
		if (r->exit.reason == VIREO_VM_EXIT_SLICE && !r->exit.console_len)
			continue; /* the hart was wanted: it runs the others, and then us */
		__atomic_store_n(&r->waiting, true, __ATOMIC_RELEASE);
		vireo_syscall(SYS_NOTIFY, (long)monitor_endpoint(), LANE_BIT, 0, 0, 0, 0);
		struct msg m = ipc_recv(r->ep);
		if (m.status < 0 || (m.w[0] & RUN_STOP))
			break;
	}
	vireo_syscall(SYS_HANDLE_CLOSE, (long)r->vm, 0, 0, 0, 0, 0);
	__atomic_store_n(&r->done, true, __ATOMIC_RELEASE);
	vireo_syscall(SYS_NOTIFY, (long)monitor_endpoint(), LANE_BIT, 0, 0, 0, 0);
	return 0;
}

unsigned lanes_available(uint64_t ncpus)
{
	unsigned lanes = 1;
	for (unsigned i = 0; i < RUNNERS_MAX; i++)
		lanes += !runners[i].used;
	return ncpus < lanes ? (unsigned)ncpus : lanes;
}

static void release(struct runner *r)
{
	thread_join(&r->thread);
	vireo_syscall(SYS_HANDLE_CLOSE, (long)r->ep, 0, 0, 0, 0, 0);
	r->used = false;
}

void lanes_stop(struct guest *g)
{
	if (g->vm && g->lanes > 1)
		vireo_syscall(SYS_VM_STOP, (long)g->vm, 0, 0, 0, 0, 0);
	for (unsigned i = 0; i < RUNNERS_MAX; i++) {
		struct runner *r = &runners[i];
		if (!r->used || r->g != g)
			continue;
		/* Kept until it waits, so that none waits for ever while this one joins. */
		vireo_syscall(SYS_NOTIFY, (long)r->ep, RUN_STOP, 0, 0, 0, 0);
		release(r);
	}
	g->lanes = 1;
}

int64_t lanes_start(struct guest *g, unsigned lanes)
{
	g->lanes = lanes;
	for (unsigned lane = 1; lane < lanes; lane++) {
		struct runner *r = NULL;
		for (unsigned i = 0; i < RUNNERS_MAX && !r; i++)
			if (!runners[i].used)
				r = &runners[i];
		if (!r) {
			lanes_stop(g);
			return VIREO_E_FULL;
		}
		*r = (struct runner){ .g = g, .lane = lane };
		int64_t vm = vireo_syscall(SYS_HANDLE_COPY, (long)g->vm, VIREO_RIGHT_CONTROL, 0, 0, 0,
					   0);
		int64_t ep = vireo_syscall(SYS_ENDPOINT_CREATE, 0, 0, 0, 0, 0, 0);
		int64_t err = vm < 0 ? vm : ep < 0 ? ep : 0;
		if (!err) {
			r->vm = (uint64_t)vm;
			r->ep = (uint64_t)ep;
			err = thread_create(&r->thread, run_lane, (uint64_t)(r - runners));
		}
		if (err) {
			if (vm > 0)
				vireo_syscall(SYS_HANDLE_CLOSE, vm, 0, 0, 0, 0, 0);
			if (ep > 0)
				vireo_syscall(SYS_HANDLE_CLOSE, ep, 0, 0, 0, 0, 0);
			lanes_stop(g);
			return err;
		}
		r->used = true;
	}
	return 0;
}

void lanes_serve(void)
{
	for (unsigned i = 0; i < RUNNERS_MAX; i++) {
		struct runner *r = &runners[i];
		if (!r->used)
			continue;
		if (__atomic_load_n(&r->done, __ATOMIC_ACQUIRE)) {
			/* Only a stop ends a runner without an error; any other end is the guest's. */
			struct guest *g = r->g;
			int64_t error = r->error;
			release(r);
			if (error && error != VIREO_E_DEAD)
				guest_end(g, error_name(error));
			continue;
		}
		if (!__atomic_load_n(&r->waiting, __ATOMIC_ACQUIRE))
			continue;
		r->waiting = false;
		guest_handle_exit(r->g, &r->exit);
		/* The exit may have ended the guest, and with it this runner (lanes_stop). */
		if (r->used)
			vireo_syscall(SYS_NOTIFY, (long)r->ep, RUN_ON, 0, 0, 0, 0);
	}
}
