/* Each guest's ns16550a (the register file is uart16550.c): one page of MMIO at UART_BASE,
 * its interrupt on the virtual PLIC, keyboard bytes queued until its FIFO has room, and
 * the bytes it transmits gathered into batches for the console.
 *
 * A byte costs the guest an exit to the monitor; a console message per byte would cost a
 * round trip to the console driver on top. So a batch goes out when it is full, when the
 * driver turns the THR-empty interrupt off (it has nothing more to send: Linux's 8250 does
 * so after each burst, an echoed key included), when the guest exits for anything but a
 * device access (main.c), and at the latest about UART_FLUSH_US after its first byte, for
 * a polled writer that goes idle. */
#include <string.h>

#include "vmm.h"

_Static_assert(UART_IRQ >= VIRTIO_IRQ_BASE + GUEST_MAX_VIRTIO, "UART_IRQ is a virtio device's");
/* Windows: the test device, the virtio slots together, the UART (guest.c add_devices). */
_Static_assert(3 <= VIREO_VM_MAX_DEVICES, "no device window for the UART");

static void update_line(struct guest *g)
{
	struct uart *u = &g->uart;
	bool level = uart16550_irq(&u->regs);
	if (level == u->line)
		return;
	u->line = level;
	vireo_syscall(SYS_VM_IRQ, (long)g->vm, UART_IRQ, level, 0, 0, 0);
}

/* From the queue into the receiver, as much as it has room for. */
static void feed(struct guest *g)
{
	struct uart *u = &g->uart;
	while (u->rx_len && uart16550_can_receive(&u->regs)) {
		uart16550_receive(&u->regs, u->rx[u->rx_head]);
		u->rx_head = (u->rx_head + 1) % UART_RX_QUEUE;
		u->rx_len--;
	}
}

static void transmit(struct guest *g, uint8_t byte)
{
	struct uart *u = &g->uart;
	if (!u->tx_len)
		monitor_flush_later();
	u->tx[u->tx_len++] = (char)byte;
	if (u->tx_len == sizeof(u->tx))
		uart_flush(g);
}

void uart_init(struct guest *g)
{
	memset(&g->uart, 0, sizeof(g->uart));
	uart16550_reset(&g->uart.regs);
}

void uart_flush(struct guest *g)
{
	if (!g->uart.tx_len)
		return;
	guest_output(g, g->uart.tx, g->uart.tx_len);
	g->uart.tx_len = 0;
}

uint64_t uart_access(struct guest *g, uint64_t offset, unsigned width, bool write,
		     uint64_t value)
{
	struct uart *u = &g->uart;
	uint64_t result = 0;
	if (width != 1 || offset >= UART16550_REGS) {
		guest_warn(g, "uart: %u-byte %s at offset 0x%lx (its registers are the bytes at 0x0-0x7)",
			   width, write ? "write" : "read", offset);
		return 0;
	}
	if (write) {
		if (offset == UART_LSR || offset == UART_MSR)
			guest_warn(g, "uart: write to the read-only %s", offset == UART_LSR ? "LSR" : "MSR");
		bool sending = u->regs.ier & UART_IER_THRI;
		int out = uart16550_write(&u->regs, (unsigned)offset, (uint8_t)value);
		if (out >= 0)
			transmit(g, (uint8_t)out);
		if (sending && !(u->regs.ier & UART_IER_THRI))
			uart_flush(g);
	} else {
		result = uart16550_read(&u->regs, (unsigned)offset);
	}
	feed(g); /* a byte read makes room for the next */
	update_line(g);
	return result;
}

size_t uart_input(struct guest *g, const char *s, size_t n)
{
	struct uart *u = &g->uart;
	size_t kept = 0;
	for (; kept < n && u->rx_len < UART_RX_QUEUE; kept++)
		u->rx[(u->rx_head + u->rx_len++) % UART_RX_QUEUE] = (uint8_t)s[kept];
	feed(g);
	update_line(g);
	return kept;
}

const char *guest_console(const struct guest *g)
{
	const char *last = NULL;
	for (const char *p = g->bootargs; (p = strstr(p, "console=")); p++)
		if (p == g->bootargs || p[-1] == ' ')
			last = p + strlen("console=");
	return last;
}

bool uart_is_console(const struct guest *g)
{
	const char *last = guest_console(g);
	return !last || !strncmp(last, "ttyS", 4);
}
