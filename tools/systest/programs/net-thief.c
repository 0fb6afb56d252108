/* Tries what only the VM monitor and the network server may do with the network: open a
 * port, give it a link and send from it at the network server, give the driver a link and
 * subscribe to it. Each must be refused; exits 0 if all were. */
#include <string.h>

#include "vireo.h"

#define PROGRAM "net-thief"
#include "refusals.h"

int main(void)
{
	int64_t net = lookup("net"), netdev = lookup("netdev");
	if (net < 0 || netdev < 0) {
		printf("net-thief: no network services\n");
		return 1;
	}
	int64_t ep = vireo_syscall(SYS_ENDPOINT_CREATE, 0, 0, 0, 0, 0, 0);
	ipc_buffer()->handle = (uint64_t)ep;
	expect("open a port", status(ipc_call((uint64_t)net,
					      vireo_ipc_info(NET_OPEN, 0) | VIREO_IPC_HANDLE, 1, 0,
					      0, 0)), VIREO_E_RIGHTS);
	int64_t link = vireo_syscall(SYS_MEMORY_CREATE, NET_LINK_PAGES, 0, 0, 0, 0, 0);
	ipc_buffer()->handle = (uint64_t)link;
	expect("link port 1", status(ipc_call((uint64_t)net,
					      vireo_ipc_info(NET_LINK, 0) | VIREO_IPC_HANDLE, 1, 0,
					      0, 0)), VIREO_E_RIGHTS);
	expect("send as port 1", status(ipc_call((uint64_t)net, vireo_ipc_info(NET_SEND, 0), 1,
						 0, 0, 0)), VIREO_E_RIGHTS);
	ipc_buffer()->handle = (uint64_t)link;
	expect("link the NIC", status(ipc_call((uint64_t)netdev,
					       vireo_ipc_info(NETDEV_LINK, 0) | VIREO_IPC_HANDLE,
					       0, 0, 0, 0)), VIREO_E_RIGHTS);
	ipc_buffer()->handle = (uint64_t)ep;
	expect("subscribe to the NIC", status(ipc_call((uint64_t)netdev,
						       vireo_ipc_info(NETDEV_SUBSCRIBE, 0) |
							       VIREO_IPC_HANDLE, 1, 0, 0, 0)),
	       VIREO_E_RIGHTS);
	return refusals_end();
}
