/* The console driver: owns the 16550 UART, takes input by interrupt (a notification from
 * the kernel) and serves the "console" service: writes, and reads that wait for input. */
#include <stdbool.h>
#include <string.h>
#include <vireo/boot.h>

#include "vireo.h"

/* 16550 registers (byte offsets) and bits. */
#define RBR 0 /* receive buffer (read) */
#define THR 0 /* transmit holding (write) */
#define IER 1
#define FCR 2
#define LCR 3
#define LSR 5
#define IER_RX 0x01
#define FCR_ENABLE 0xc1 /* FIFOs on; input interrupts at 14 bytes, or when input pauses */
#define LCR_8N1 0x03
#define LSR_DATA_READY 0x01
#define LSR_THR_EMPTY 0x20

#define IRQ_BIT 1

static volatile uint8_t *uart = (volatile uint8_t *)VIREO_USER_DEVICES;
static char input[1024];
static size_t in_head, in_len;
static bool rx_paused; /* input full: the UART keeps what comes next (see drain_input) */
static uint64_t reader, reader_max; /* a CONSOLE_READ caller waiting for input, or 0 */
static uint64_t subscriber, subscriber_bits; /* an endpoint told when input arrives */

/* THR empty means the whole transmit FIFO is: one status read lets 16 bytes go out. */
#define TX_FIFO 16

static void put_byte(char c)
{
	static unsigned room;
	if (room == 0) {
		while (!(uart[LSR] & LSR_THR_EMPTY))
			;
		room = TX_FIFO;
	}
	uart[THR] = (uint8_t)c;
	room--;
}

/* Terminals want CR LF. */
static void write_bytes(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			put_byte('\r');
		put_byte(s[i]);
	}
}

/* With the buffer full, bytes stay in the UART and its receive interrupt goes off until
 * there is room again: what was pasted waits (QEMU holds it back until the FIFO has room)
 * instead of being dropped here. */
static void drain_input(void)
{
	while (in_len < sizeof(input) && (uart[LSR] & LSR_DATA_READY))
		input[(in_head + in_len++) % sizeof(input)] = (char)uart[RBR];
	bool full = in_len == sizeof(input);
	if (full != rx_paused) {
		rx_paused = full;
		uart[IER] = full ? 0 : IER_RX;
	}
}

static void answer_reader(void)
{
	if (!reader || in_len == 0)
		return;
	char *out = (char *)ipc_buffer()->data;
	size_t n = 0;
	while (in_len > 0 && n < reader_max) {
		out[n++] = input[in_head];
		in_head = (in_head + 1) % sizeof(input);
		in_len--;
	}
	ipc_reply(reader, vireo_ipc_info(0, n), 0, 0, 0, 0);
	reader = 0;
	if (rx_paused)
		drain_input();
}

int main(void)
{
	console_log_right(VIREO_UART_LOG_RIGHT);
	int64_t ep = vireo_syscall(SYS_ENDPOINT_CREATE, 0, 0, 0, 0, 0, 0);
	int64_t err = ep < 0 ? ep : vireo_syscall(SYS_DEVICE_MAP, VIREO_UART_DEVICE, (long)uart,
						  0, 0, 0, 0);
	if (!err)
		err = vireo_syscall(SYS_IRQ_BIND, VIREO_UART_DEVICE, ep, IRQ_BIT, 0, 0, 0);
	if (err) {
		printf("uart: cannot set up the UART: %s\n", error_name(err));
		return 1;
	}
	uart[LCR] = LCR_8N1;
	uart[FCR] = FCR_ENABLE;
	uart[IER] = IER_RX;
	drain_input();
	err = register_service("console", (uint64_t)ep);
	if (err)
		printf("uart: cannot register the console: %s\n", error_name(err));

	for (;;) {
		struct msg m = ipc_recv((uint64_t)ep);
		if (m.status < 0)
			continue;
		if (m.status == 0 && vireo_ipc_label(m.info) == VIREO_LABEL_NOTIFY) {
			drain_input();
			vireo_syscall(SYS_IRQ_ACK, VIREO_UART_DEVICE, 0, 0, 0, 0, 0);
			answer_reader();
			if (in_len && subscriber)
				vireo_syscall(SYS_NOTIFY, (long)subscriber, (long)subscriber_bits, 0, 0, 0,
					      0);
			continue;
		}
		switch (vireo_ipc_label(m.info)) {
		case CONSOLE_WRITE:
			write_bytes((const char *)ipc_buffer()->data, vireo_ipc_len(m.info));
			ipc_reply((uint64_t)m.status, 0, 0, 0, 0, 0);
			break;
		case CONSOLE_READ:
			if (m.w[0] == 1 && in_len == 0) { /* no waiting asked for */
				ipc_reply((uint64_t)m.status, 0, 0, 0, 0, 0);
				break;
			}
			if (reader) {
				ipc_reply((uint64_t)m.status, 0, (uint64_t)VIREO_E_BUSY, 0, 0, 0);
				break;
			}
			reader = (uint64_t)m.status;
			reader_max = m.w[1] && m.w[1] < VIREO_IPC_DATA_MAX ? m.w[1] : VIREO_IPC_DATA_MAX;
			answer_reader();
			break;
		case CONSOLE_SUBSCRIBE:
			if (subscriber)
				vireo_syscall(SYS_HANDLE_CLOSE, (long)subscriber, 0, 0, 0, 0, 0);
			subscriber = m.info & VIREO_IPC_HANDLE ? ipc_buffer()->handle : 0;
			subscriber_bits = m.w[0];
			ipc_reply((uint64_t)m.status, 0, 0, 0, 0, 0);
			if (in_len && subscriber) /* input already waiting */
				vireo_syscall(SYS_NOTIFY, (long)subscriber, (long)subscriber_bits, 0, 0, 0,
					      0);
			break;
		default:
			ipc_reply((uint64_t)m.status, 0, (uint64_t)VIREO_E_NOSYS, 0, 0, 0);
		}
	}
}
