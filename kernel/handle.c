#include "handle.h"

#include <vireo/syscall.h>

#include "device.h"
#include "ipc.h"
#include "memobj.h"
#include "quota.h"
#include "task.h"
#include "vm.h"

void *handle_get(struct task *t, uint64_t h, enum object_type type, uint32_t rights, int *err)
{
	if (h == 0 || h >= MAX_HANDLES || t->handles[h].type != type) {
		*err = VIREO_E_BADHANDLE;
		return NULL;
	}
	if ((t->handles[h].rights & rights) != rights) {
		*err = VIREO_E_RIGHTS;
		return NULL;
	}
	return t->handles[h].obj;
}

int handle_install(struct task *t, enum object_type type, void *obj, uint32_t rights)
{
	for (int h = 1; h < MAX_HANDLES; h++) {
		if (t->handles[h].type == OBJ_NONE) {
			object_get(type, obj);
			t->handles[h] = (struct handle){ type, rights, obj };
			return h;
		}
	}
	return VIREO_E_NOMEM;
}

int handle_close(struct task *t, uint64_t h)
{
	if (h == 0 || h >= MAX_HANDLES || t->handles[h].type == OBJ_NONE)
		return VIREO_E_BADHANDLE;
	struct handle old = t->handles[h];
	t->handles[h] = (struct handle){ 0 };
	object_put(old.type, old.obj);
	return 0;
}

int handle_copy(struct task *t, uint64_t h, uint32_t rights)
{
	if (h == 0 || h >= MAX_HANDLES || t->handles[h].type == OBJ_NONE)
		return VIREO_E_BADHANDLE;
	struct handle *old = &t->handles[h];
	return handle_install(t, old->type, old->obj, old->rights & rights);
}

void handle_close_all(struct task *t)
{
	for (int h = 1; h < MAX_HANDLES; h++)
		if (t->handles[h].type != OBJ_NONE)
			handle_close(t, (uint64_t)h);
}

void object_get(enum object_type type, void *obj)
{
	switch (type) {
	case OBJ_ENDPOINT: ((struct endpoint *)obj)->refs++; break;
	case OBJ_TASK: ((struct task *)obj)->refs++; break;
	case OBJ_DEVICE: ((struct device *)obj)->refs++; break;
	case OBJ_VM: ((struct vm *)obj)->refs++; break;
	case OBJ_MEMORY: ((struct memobj *)obj)->refs++; break;
	case OBJ_QUOTA: ((struct quota *)obj)->refs++; break;
	case OBJ_SYSTEM: case OBJ_NONE: break;
	}
}

void object_put(enum object_type type, void *obj)
{
	switch (type) {
	case OBJ_ENDPOINT: endpoint_put(obj); break;
	case OBJ_TASK: task_put(obj); break;
	case OBJ_DEVICE: ((struct device *)obj)->refs--; break; /* devices live forever */
	case OBJ_VM: vm_put(obj); break;
	case OBJ_MEMORY: memobj_put(obj); break;
	case OBJ_QUOTA: quota_put(obj); break;
	case OBJ_SYSTEM: case OBJ_NONE: break;
	}
}
