/* Handles: a task's names for kernel objects, with rights (seL4's capabilities, simplified:
 * no derivation tree; an object lives while any handle or kernel reference holds it). */
#ifndef VIREO_HANDLE_H
#define VIREO_HANDLE_H

#include <stdint.h>

#define MAX_HANDLES 48

enum object_type { OBJ_NONE, OBJ_ENDPOINT, OBJ_TASK, OBJ_DEVICE, OBJ_SYSTEM, OBJ_VM, OBJ_MEMORY,
		   OBJ_QUOTA };

struct handle {
	enum object_type type;
	uint32_t rights;
	void *obj;
};

struct task;

/* The object behind handle h of task t, if it has the type and all the rights; else NULL
 * with *err set to VIREO_E_BADHANDLE or VIREO_E_RIGHTS. */
void *handle_get(struct task *t, uint64_t h, enum object_type type, uint32_t rights, int *err);
/* Installs a new reference to obj in a free slot; the slot, or VIREO_E_NOMEM. */
int handle_install(struct task *t, enum object_type type, void *obj, uint32_t rights);
int handle_close(struct task *t, uint64_t h);
/* A second handle to what h names, with only those of its rights also in rights. */
int handle_copy(struct task *t, uint64_t h, uint32_t rights);
void handle_close_all(struct task *t);
/* Reference counting by object type, through the type's ops. */
void object_get(enum object_type type, void *obj);
void object_put(enum object_type type, void *obj);

/* How handles (and messages carrying them) hold an object of one type: get takes a
 * reference, put drops one, and the type decides what the last one does. Each type defines
 * its ops beside the object; handle.c only indexes them by type. */
struct object_ops {
	void (*get)(void *obj);
	void (*put)(void *obj);
};
extern const struct object_ops endpoint_object_ops, task_object_ops, device_object_ops,
	memory_object_ops, quota_object_ops;

/* Defines NAME_object_ops for a TYPE counted in its refs field and released by PUT. */
#define DEFINE_OBJECT_OPS(name, type, put)                                      \
	static void name##_object_get(void *obj) { ((type *)obj)->refs++; }      \
	static void name##_object_put(void *obj) { put((type *)obj); }          \
	const struct object_ops name##_object_ops = { name##_object_get, name##_object_put }

#endif
