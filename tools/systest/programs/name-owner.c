/* Holds OWNED_NAME for impostor.c until told to quit. */
#include "impostor.h"
#include "vireo.h"

int main(void)
{
	console_open();
	int64_t ep = vireo_syscall(SYS_ENDPOINT_CREATE, 0, 0, 0, 0, 0, 0);
	int64_t err = ep < 0 ? ep : register_service(OWNED_NAME, (uint64_t)ep);
	if (err) {
		printf("name-owner: cannot register: %s\n", error_name(err));
		return 1;
	}
	for (;;) {
		struct msg m = ipc_recv((uint64_t)ep);
		if (m.status <= 0)
			continue;
		uint32_t label = vireo_ipc_label(m.info);
		ipc_reply((uint64_t)m.status, 0, label == OWNER_WHO ? OWNER_MARK : 0, 0, 0, 0);
		if (label == OWNER_QUIT)
			return 0;
	}
}
