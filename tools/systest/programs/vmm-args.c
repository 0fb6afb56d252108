/* Asks the VM monitor for a guest with 600 bytes of arguments, more than it takes (the shell
 * never sends that many): hello.bin and spaces, so that the first 511 bytes alone would
 * start a guest. The monitor must refuse them whole. */
#include <string.h>

#include "vireo.h"

int main(void)
{
	console_open();
	int64_t vmm = lookup("vmm");
	if (vmm < 0) {
		printf("vmm-args: no VM monitor (%s)\n", error_name(vmm));
		return 1;
	}
	static char args[600];
	memset(args, ' ', sizeof(args));
	memcpy(args, "/boot/guest/hello.bin", 21);
	struct msg r = ipc_call((uint64_t)vmm, ipc_data(VMM_START, args, sizeof(args)), 0, 0, 0, 0);
	int64_t status = r.status < 0 ? r.status : (int64_t)r.w[0];
	char why[128];
	size_t n = vireo_ipc_len(r.info) < sizeof(why) ? vireo_ipc_len(r.info) : 0;
	memcpy(why, ipc_buffer()->data, n);
	why[n] = '\0';
	if (status)
		printf("vmm-args: refused (%s): %s\n", error_name(status), why);
	else
		printf("vmm-args: started vm %lu, which is wrong\n", r.w[1]);
	return 0;
}
