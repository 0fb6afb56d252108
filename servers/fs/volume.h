/* The fs server's disk: its volume of the block server, as a struct fs_dev. */
#ifndef FS_VOLUME_H
#define FS_VOLUME_H

#include "fs.h"

#define VOLUME_NAME "share"

/* Opens the volume, making it first if it is missing (*created_mib: its size; 0 if it was
 * there). 0 or a VIREO_E_* error. */
int64_t volume_open(struct fs_dev *dev, uint64_t *created_mib);

#endif
