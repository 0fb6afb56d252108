/* Tries to take names that are not its own from init: the VM monitor's and the console's
 * (also through a second copy of the monitor it starts), and one another task holds. Each
 * must be refused with "not permitted", and the real owners must still answer under their
 * names. A name is free again once its owner has ended. Exits 0 if all held. */
#include <string.h>

#include "impostor.h"
#include "vireo.h"

#define PROGRAM "impostor"
#include "refusals.h"

static int64_t spawn(const char *path)
{
	struct msg r = ipc_call(VIREO_HANDLE_INIT, ipc_data(INIT_SPAWN, path, strlen(path)), 0,
				0, 0, 0);
	return r.status ? r.status : r.w[0] ? (int64_t)r.w[0] : (int64_t)r.w[1];
}

static int64_t wait_for(int64_t id)
{
	struct msg r = ipc_call(VIREO_HANDLE_INIT, vireo_ipc_info(INIT_WAIT, 0), (uint64_t)id, 0,
				0, 0);
	return r.status ? r.status : r.w[0] ? (int64_t)r.w[0] : (int64_t)r.w[1];
}

/* Whom a call to the endpoint under name reaches: the status of a call with label. */
static int64_t call_name(const char *name, uint32_t label, struct msg *r)
{
	int64_t h = lookup(name);
	if (h < 0)
		return h;
	*r = ipc_call((uint64_t)h, vireo_ipc_info(label, 0), 0, 0, 0, 0);
	vireo_syscall(SYS_HANDLE_CLOSE, h, 0, 0, 0, 0, 0);
	return r->status;
}

int main(void)
{
	console_open();
	int64_t mine = vireo_syscall(SYS_ENDPOINT_CREATE, 0, 0, 0, 0, 0, 0);
	int64_t owner = spawn("/boot/test/name-owner");
	if (mine < 0 || owner < 0) {
		printf("impostor: cannot start: %s\n", error_name(mine < 0 ? mine : owner));
		return 1;
	}
	struct msg r;
	expect("the owner answers under " OWNED_NAME, call_name(OWNED_NAME, OWNER_WHO, &r), 0);

	expect("register vmm", register_service("vmm", (uint64_t)mine), VIREO_E_RIGHTS);
	expect("register console", register_service("console", (uint64_t)mine), VIREO_E_RIGHTS);
	expect("register " OWNED_NAME, register_service(OWNED_NAME, (uint64_t)mine),
	       VIREO_E_RIGHTS);
	expect("register a name too long to keep whole",
	       register_service("vmm-but-longer-than-15", (uint64_t)mine), VIREO_E_INVAL);
	/* A copy of the monitor's program that init did not start as the monitor. */
	int64_t copy = spawn("/boot/bin/vmm");
	expect("a second vmm ends", copy < 0 ? copy : wait_for(copy), 1);

	expect("the owner still answers under " OWNED_NAME, call_name(OWNED_NAME, OWNER_WHO, &r)
	       || r.w[0] != OWNER_MARK, 0);
	expect("the monitor still answers under vmm", call_name("vmm", VMM_LIST, &r) ||
	       memcmp(ipc_buffer()->data, "  ID  NAME", 10), 0);

	expect("the owner quits", call_name(OWNED_NAME, OWNER_QUIT, &r), 0);
	expect("the owner ended", wait_for(owner), 0);
	expect("register " OWNED_NAME " once its owner is gone",
	       register_service(OWNED_NAME, (uint64_t)mine), 0);
	return refusals_end();
}
