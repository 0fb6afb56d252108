#include "handle.h"

#include <vireo/syscall.h>

#include "hv.h"
#include "task.h"

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

/* Objects no handle can name (OBJ_NONE) and the system handle, which names no object,
 * have no ops. */
static const struct object_ops *const object_ops[] = {
	[OBJ_ENDPOINT] = &endpoint_object_ops, [OBJ_TASK] = &task_object_ops,
	[OBJ_DEVICE] = &device_object_ops,     [OBJ_VM] = &vm_object_ops,
	[OBJ_MEMORY] = &memory_object_ops,     [OBJ_QUOTA] = &quota_object_ops,
};

static const struct object_ops *ops_of(enum object_type type)
{
	return (unsigned)type < sizeof(object_ops) / sizeof(*object_ops) ? object_ops[type] : NULL;
}

void object_get(enum object_type type, void *obj)
{
	const struct object_ops *ops = ops_of(type);
	if (ops)
		ops->get(obj);
}

void object_put(enum object_type type, void *obj)
{
	const struct object_ops *ops = ops_of(type);
	if (ops)
		ops->put(obj);
}
