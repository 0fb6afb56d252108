/* What init, the first task, starts with (the kernel's side is kernel/init_task.c). */
#ifndef VIREO_BOOT_H
#define VIREO_BOOT_H

/* Handles: the system handle (ps, kill, memory figures, reset), the bootfs as a read-only
 * memory object, then the devices. */
#define VIREO_INIT_SYSTEM 1
#define VIREO_INIT_BOOTFS 2
#define VIREO_INIT_UART 3
#define VIREO_INIT_FIRST_VIRTIO 4 /* one per virtio-mmio slot, in address order */

/* Registers at entry: a0 = the bootfs size in bytes (a newc cpio archive mapped read-only
 * at VIREO_USER_BOOTFS), a1 = the number of virtio-mmio device handles. */

#endif
