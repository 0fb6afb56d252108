/* The NS16550A's registers and interrupts (PC16550D datasheet, sections 8.1-8.9); see
 * uart16550.h for what the ideal line it drives leaves out. */
#include "uart16550.h"

#include <string.h>

static bool fifos_on(const struct uart16550 *u)
{
	return u->fcr & UART_FCR_ENABLE;
}

/* 16 bytes with the FIFOs on; the single receiver buffer register of 16450 mode without. */
static unsigned rx_capacity(const struct uart16550 *u)
{
	return fifos_on(u) ? UART16550_FIFO : 1;
}

/* FCR bits 7:6 (datasheet table 9). */
static unsigned rx_trigger(const struct uart16550 *u)
{
	static const unsigned levels[4] = { 1, 4, 8, 14 };
	return fifos_on(u) ? levels[u->fcr >> UART_FCR_TRIGGER_SHIFT] : 1;
}

static void rx_clear(struct uart16550 *u)
{
	u->rx_head = u->rx_len = 0;
}

/* Into the receiver; with no room an overrun, which in 16450 mode destroys the unread byte
 * and in FIFO mode the new one (datasheet 8.4, LSR bit 1). */
static void rx_put(struct uart16550 *u, uint8_t byte)
{
	if (u->rx_len < rx_capacity(u)) {
		u->rx[(u->rx_head + u->rx_len) % UART16550_FIFO] = byte;
		u->rx_len++;
		return;
	}
	u->line_errors |= UART_LSR_OE;
	if (!fifos_on(u))
		u->rx[u->rx_head] = byte;
}

static uint8_t rx_take(struct uart16550 *u)
{
	if (!u->rx_len)
		return 0;
	uint8_t byte = u->rx[u->rx_head];
	u->rx_head = (uint8_t)((u->rx_head + 1) % UART16550_FIFO);
	u->rx_len--;
	return byte;
}

/* In loopback the modem inputs are wired to the modem outputs (datasheet 8.6, MCR bit 4):
 * CTS to RTS, DSR to DTR, RI to OUT1, DCD to OUT2. */
static uint8_t modem_inputs(const struct uart16550 *u)
{
	if (!(u->mcr & UART_MCR_LOOP))
		return UART_MSR_LINE;
	return (u->mcr & UART_MCR_RTS ? UART_MSR_CTS : 0) |
	       (u->mcr & UART_MCR_DTR ? UART_MSR_DSR : 0) |
	       (u->mcr & UART_MCR_OUT1 ? UART_MSR_RI : 0) |
	       (u->mcr & UART_MCR_OUT2 ? UART_MSR_DCD : 0);
}

/* MSR bits 0-3 record changes since MSR was last read; TERI only the end of a ring (RI
 * going from on to off). */
static void set_modem_inputs(struct uart16550 *u, uint8_t inputs)
{
	uint8_t was = u->msr & 0xf0, changed = was ^ inputs, delta = 0;
	if (changed & UART_MSR_CTS)
		delta |= UART_MSR_DCTS;
	if (changed & UART_MSR_DSR)
		delta |= UART_MSR_DDSR;
	if ((was & UART_MSR_RI) && !(inputs & UART_MSR_RI))
		delta |= UART_MSR_TERI;
	if (changed & UART_MSR_DCD)
		delta |= UART_MSR_DDCD;
	u->msr = (uint8_t)(inputs | (u->msr & 0x0f) | delta);
}

void uart16550_reset(struct uart16550 *u)
{
	memset(u, 0, sizeof(*u));
	/* The datasheet leaves the divisor undefined; 1 lets no driver divide by zero. */
	u->dll = 1;
	u->msr = UART_MSR_LINE;
}

bool uart16550_can_receive(const struct uart16550 *u)
{
	return !(u->mcr & UART_MCR_LOOP) && u->rx_len < rx_capacity(u);
}

void uart16550_receive(struct uart16550 *u, uint8_t byte)
{
	if (!(u->mcr & UART_MCR_LOOP))
		rx_put(u, byte);
}

/* Datasheet table 4: one source at a time, the highest priority first. */
uint8_t uart16550_iir(const struct uart16550 *u)
{
	uint8_t id = UART_IIR_NO_INT;
	if ((u->ier & UART_IER_RLSI) && u->line_errors)
		id = UART_IIR_RLSI;
	else if ((u->ier & UART_IER_RDI) && u->rx_len >= rx_trigger(u))
		id = UART_IIR_RDI;
	else if ((u->ier & UART_IER_RDI) && u->rx_len)
		id = UART_IIR_TIMEOUT; /* below the trigger level, and no byte is on its way */
	else if ((u->ier & UART_IER_THRI) && u->thre_pending)
		id = UART_IIR_THRI;
	else if ((u->ier & UART_IER_MSI) && (u->msr & 0x0f))
		id = UART_IIR_MSI;
	return (uint8_t)(id | (fifos_on(u) ? UART_IIR_FIFOS : 0));
}

bool uart16550_irq(const struct uart16550 *u)
{
	return !(uart16550_iir(u) & UART_IIR_NO_INT);
}

uint8_t uart16550_read(struct uart16550 *u, unsigned reg)
{
	bool dlab = u->lcr & UART_LCR_DLAB;
	uint8_t v;
	switch (reg) {
	case UART_RBR:
		return dlab ? u->dll : rx_take(u);
	case UART_IER:
		return dlab ? u->dlm : u->ier;
	case UART_IIR:
		/* Reading IIR while it names THRE is what acknowledges that interrupt. */
		v = uart16550_iir(u);
		if ((v & 0x0f) == UART_IIR_THRI)
			u->thre_pending = false;
		return v;
	case UART_LCR:
		return u->lcr;
	case UART_MCR:
		return u->mcr;
	case UART_LSR:
		v = (uint8_t)((u->rx_len ? UART_LSR_DR : 0) | u->line_errors | UART_LSR_THRE |
			      UART_LSR_TEMT);
		u->line_errors = 0;
		return v;
	case UART_MSR:
		v = u->msr;
		u->msr &= 0xf0;
		return v;
	case UART_SCR:
		return u->scr;
	default:
		return 0;
	}
}

/* FCR (datasheet 8.5): with bit 0 clear the FIFOs go off and nothing else is programmed;
 * switching between FIFO and 16450 mode empties them; bits 1 and 2 clear themselves. The
 * transmitter has nothing to clear: every byte left the moment it was written. */
static void write_fcr(struct uart16550 *u, uint8_t value)
{
	bool on = value & UART_FCR_ENABLE;
	if (on != fifos_on(u) || (on && (value & UART_FCR_CLEAR_RX)))
		rx_clear(u);
	u->fcr = on ? (uint8_t)(value & (UART_FCR_ENABLE | 3u << UART_FCR_TRIGGER_SHIFT)) : 0;
}

int uart16550_write(struct uart16550 *u, unsigned reg, uint8_t value)
{
	bool dlab = u->lcr & UART_LCR_DLAB;
	switch (reg) {
	case UART_THR:
		if (dlab) {
			u->dll = value;
			return -1;
		}
		/* Writing THR acknowledges THRE; the byte leaves at once and THR is empty again,
		 * which raises THRE anew. */
		u->thre_pending = true;
		if (u->mcr & UART_MCR_LOOP) {
			rx_put(u, value);
			return -1;
		}
		return value;
	case UART_IER:
		if (dlab) {
			u->dlm = value;
			return -1;
		}
		/* Enabling THRE while THR is empty (always, here) raises it: drivers count on it
		 * to start transmitting (Linux tests it at startup, its UART_BUG_THRE). */
		if ((value & UART_IER_THRI) && !(u->ier & UART_IER_THRI))
			u->thre_pending = true;
		u->ier = value & 0x0f;
		return -1;
	case UART_FCR:
		write_fcr(u, value);
		return -1;
	case UART_LCR:
		u->lcr = value;
		return -1;
	case UART_MCR:
		u->mcr = value & 0x1f;
		set_modem_inputs(u, modem_inputs(u));
		return -1;
	case UART_SCR:
		u->scr = value;
		return -1;
	default: /* LSR and MSR are read-only */
		return -1;
	}
}
