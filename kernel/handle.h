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
/* Reference counting by object type. */
void object_get(enum object_type type, void *obj);
void object_put(enum object_type type, void *obj);

#endif
