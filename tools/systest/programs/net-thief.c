/* Tries what only the VM monitor and the network server may do with the network: open a
 * port and send and take frames at the network server, send and take frames and subscribe
 * at the driver. Each must be refused, and no frame handed over; exits 0 if all were. */
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
	static const uint8_t frame[60] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
					   0x02, 0x56, 0x69, 0x72, 0x65, 0x01, 0x08, 0x06 };
	expect("send as port 1", status(ipc_call((uint64_t)net, ipc_data(NET_SEND, frame, 60), 1,
						 0, 0, 0)), VIREO_E_RIGHTS);
	struct msg r = ipc_call((uint64_t)net, vireo_ipc_info(NET_RECV, 0), 1, 0, 0, 0);
	expect("take port 1's frames", status(r), VIREO_E_RIGHTS);
	expect("no frame came along", vireo_ipc_len(r.info), 0);
	expect("send on the NIC", status(ipc_call((uint64_t)netdev,
						  ipc_data(NETDEV_SEND, frame, 60), 0, 0, 0, 0)),
	       VIREO_E_RIGHTS);
	r = ipc_call((uint64_t)netdev, vireo_ipc_info(NETDEV_RECV, 0), 0, 0, 0, 0);
	expect("take the NIC's frames", status(r), VIREO_E_RIGHTS);
	expect("no NIC frame came along", vireo_ipc_len(r.info), 0);
	ipc_buffer()->handle = (uint64_t)ep;
	expect("subscribe to the NIC", status(ipc_call((uint64_t)netdev,
						       vireo_ipc_info(NETDEV_SUBSCRIBE, 0) |
							       VIREO_IPC_HANDLE, 1, 0, 0, 0)),
	       VIREO_E_RIGHTS);
	return refusals_end();
}
