#include "events.h"

#include "vireo.h"

static uint64_t ep;

uint64_t events_endpoint(void)
{
	if (!ep) {
		int64_t e = vireo_syscall(SYS_ENDPOINT_CREATE, 0, 0, 0, 0, 0, 0);
		ep = e > 0 ? (uint64_t)e : 0;
	}
	return ep;
}

/* Keys come as notifications, so that waiting for them sees the rest of the news too. A
 * restarted console driver knows nothing of the last one's subscriber: ask it again. */
static void follow_console(void)
{
	watch_service("console", ep, EVENT_CONSOLE_ENDED);
	console_subscribe(ep, EVENT_INPUT);
}

size_t wait_for_keys(char *buf, size_t len)
{
	static bool following;
	if (!events_endpoint())
		return console_read(buf, len);
	if (!following) {
		follow_console();
		following = true;
	}
	for (;;) {
		size_t n = console_read_available(buf, len);
		if (n)
			return n;
		struct msg m = ipc_recv(ep);
		if (m.status > 0) /* nobody is meant to call here */
			ipc_reply((uint64_t)m.status, 0, (uint64_t)VIREO_E_NOSYS, 0, 0, 0);
		if (m.status != 0 || vireo_ipc_label(m.info) != VIREO_LABEL_NOTIFY)
			continue;
		if (m.w[0] & EVENT_CONSOLE_ENDED)
			follow_console();
		if (vm_news(m.w[0]))
			return 0;
	}
}

void pause_us(uint64_t us)
{
	static int64_t timer;
	if (!timer)
		timer = vireo_syscall(SYS_ENDPOINT_CREATE, 0, 0, 0, 0, 0, 0);
	if (timer > 0 && vireo_syscall(SYS_TIMER_SET, timer, 1, (long)us, 0, 0, 0) == 0)
		ipc_recv((uint64_t)timer);
}
