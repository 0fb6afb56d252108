/* uart: the monitor's ns16550a as a driver uses it (PC16550D datasheet): registers at reset,
 * the divisor latch, the FIFOs (enable, reset, trigger levels), LSR and MSR, loopback, IIR
 * priorities, then the interrupts through the PLIC (THR empty, received data, character
 * timeout, modem status) and output sent by THRE interrupts. Last it talks to whoever types:
 * one line received by interrupts, one by polling LSR, each echoed as it comes and reported
 * by its length and checksum; then a few accesses the monitor warns about (a wide access,
 * an offset past the registers, a write to LSR), after which the UART must still answer.
 *
 * Vireo only: the monitor puts the UART at 0x10010000 with PLIC source 10 (servers/vmm/vmm.h);
 * on bare QEMU 0x10010000 holds nothing. */
#include "lib.h"

#define UART 0x10010000UL
#define IRQ 10

enum { RBR = 0, THR = 0, DLL = 0, IER = 1, DLM = 1, IIR = 2, FCR = 2, LCR = 3, MCR = 4,
       LSR = 5, MSR = 6, SCR = 7 };
#define IER_RDI 0x01
#define IER_THRI 0x02
#define IER_RLSI 0x04
#define IER_MSI 0x08
#define IIR_NONE 0x01
#define IIR_MS 0x00
#define IIR_THRE 0x02
#define IIR_RDA 0x04
#define IIR_RLS 0x06
#define IIR_TIMEOUT 0x0c
#define IIR_FIFOS 0xc0
#define FCR_ENABLE 0x01
#define FCR_CLEAR_RX 0x02
#define FCR_CLEAR_TX 0x04
#define FCR_TRIGGER(t) ((t) << 6)
#define LCR_8N1 0x03
#define LCR_DLAB 0x80
#define MCR_DTR 0x01
#define MCR_RTS 0x02
#define MCR_OUT1 0x04
#define MCR_OUT2 0x08
#define MCR_LOOP 0x10
#define LSR_DR 0x01
#define LSR_OE 0x02
#define LSR_THRE 0x20
#define LSR_TEMT 0x40
#define MSR_DCTS 0x01
#define MSR_DDSR 0x02
#define MSR_TERI 0x04
#define MSR_DDCD 0x08
#define MSR_CTS 0x10
#define MSR_DSR 0x20
#define MSR_RI 0x40
#define MSR_DCD 0x80

#define KEYBOARD_WAIT_MS 60000

static uint8_t rd(unsigned reg)
{
	return *(volatile uint8_t *)(UART + reg);
}

static void wr(unsigned reg, uint8_t v)
{
	*(volatile uint8_t *)(UART + reg) = v;
}

static unsigned long ctx;
static volatile unsigned long uart_irqs, thre_irqs, rx_irqs, ms_irqs, rls_irqs, timed_out;
static volatile uint8_t first_iir;
static volatile char rx[512];
static volatile unsigned long rx_len;
static const char *volatile tx_next;

static void rx_drain(void)
{
	while (rd(LSR) & LSR_DR) {
		char c = (char)rd(RBR);
		if (rx_len < sizeof(rx))
			rx[rx_len++] = c;
	}
}

/* What Linux's serial8250_handle_irq does, one IIR source at a time until none is left. */
static void serve_uart(void)
{
	uint8_t iir;
	uart_irqs++;
	while (!((iir = rd(IIR)) & IIR_NONE)) {
		if (!first_iir)
			first_iir = iir;
		switch (iir & 0x0f) {
		case IIR_RLS:
			rls_irqs++;
			rd(LSR);
			break;
		case IIR_RDA:
		case IIR_TIMEOUT:
			rx_irqs++;
			rx_drain();
			break;
		case IIR_THRE:
			thre_irqs++;
			for (unsigned k = 0; k < 16 && tx_next && *tx_next; k++)
				wr(THR, (uint8_t)*tx_next++);
			if (!tx_next || !*tx_next)
				wr(IER, rd(IER) & ~IER_THRI); /* nothing more to send */
			break;
		default:
			ms_irqs++;
			rd(MSR);
		}
	}
}

static bool irq_hook(struct trap_frame *tf)
{
	if (tf->scause == (SCAUSE_INTERRUPT | IRQ_S_TIMER)) {
		csr_clear(sie, SIE_STIE);
		timed_out = 1;
		return true;
	}
	if (tf->scause != (SCAUSE_INTERRUPT | IRQ_S_EXTERNAL))
		return false;
	uint32_t id = mmio_read32(PLIC_CLAIM(ctx));
	if (id == IRQ)
		serve_uart();
	if (id)
		mmio_write32(PLIC_CLAIM(ctx), id);
	return true;
}

/* Sleeps in WFI with interrupts on until *counter reaches target or ms pass. */
static bool wait_count(volatile unsigned long *counter, unsigned long target, unsigned ms)
{
	timed_out = 0;
	sbi_set_timer(rdtime() + MS_TO_TICKS(ms));
	csr_set(sie, SIE_STIE);
	for (;;) {
		irq_disable();
		if (*counter >= target || timed_out)
			break;
		__asm__ volatile("wfi");
		irq_enable(); /* the interrupt that woke the hart is taken here */
	}
	csr_clear(sie, SIE_STIE);
	return *counter >= target;
}

static bool rx_is(const char *s, unsigned long n)
{
	if (rx_len != n)
		return false;
	for (unsigned long i = 0; i < n; i++)
		if (rx[i] != s[i])
			return false;
	return true;
}

static void put_polled(const char *s)
{
	for (; *s; s++) {
		while (!(rd(LSR) & LSR_THRE))
			;
		wr(THR, (uint8_t)*s);
	}
}

static bool pending_at_plic(void)
{
	return (mmio_read32(PLIC_PENDING) >> IRQ) & 1;
}

static void registers_at_reset(void)
{
	check(rd(IER) == 0 && rd(IIR) == IIR_NONE && rd(LCR) == 0 && rd(MCR) == 0,
	      "IER, IIR, LCR and MCR at reset: 0, 0x01, 0, 0");
	check(rd(LSR) == (LSR_THRE | LSR_TEMT), "LSR at reset: transmitter empty, nothing received");
	check(rd(MSR) == (MSR_CTS | MSR_DSR | MSR_DCD), "MSR: CTS, DSR and DCD on, no change");
	wr(SCR, 0xa5);
	uint8_t a = rd(SCR);
	wr(SCR, 0x5a);
	check(a == 0xa5 && rd(SCR) == 0x5a, "the scratch register keeps what is written");
	wr(IER, 0xff);
	check(rd(IER) == 0x0f, "IER keeps its four bits only");
	wr(IER, 0);
}

static void divisor_latch(void)
{
	wr(IER, IER_RLSI);
	wr(LCR, LCR_DLAB | LCR_8N1);
	wr(DLL, 2); /* 115200 baud at the 3.6864 MHz clock of the device tree */
	wr(DLM, 0x01);
	check(rd(DLL) == 2 && rd(DLM) == 1, "divisor latch 0x0102 reads back behind DLAB");
	wr(LCR, LCR_8N1);
	check(rd(IER) == IER_RLSI && rd(LCR) == LCR_8N1, "IER untouched, DLAB off again");
	wr(LCR, LCR_DLAB | LCR_8N1);
	wr(DLM, 0);
	check(rd(DLL) == 2 && rd(DLM) == 0, "the latch kept its value while DLAB was off");
	wr(LCR, LCR_8N1);
	wr(IER, 0);
}

static void fifos_and_loopback(void)
{
	wr(FCR, FCR_ENABLE);
	check(rd(IIR) == (IIR_FIFOS | IIR_NONE), "IIR bits 7:6 say the FIFOs are on");
	wr(FCR, 0);
	check(rd(IIR) == IIR_NONE, "and off again");
	wr(MCR, MCR_LOOP | MCR_RTS | MCR_OUT2); /* Linux's autoconfig loopback probe */
	check((rd(MSR) & 0xf0) == (MSR_CTS | MSR_DCD), "loopback: RTS shows as CTS, OUT2 as DCD");
	wr(MCR, MCR_LOOP | MCR_DTR | MCR_OUT1);
	check(rd(MSR) == (MSR_DSR | MSR_RI | MSR_DCTS | MSR_DDSR | MSR_DDCD) &&
		      rd(MSR) == (MSR_DSR | MSR_RI),
	      "DTR shows as DSR, OUT1 as RI; MSR's change bits clear once read");
	wr(MCR, MCR_LOOP | MCR_DTR);
	check(rd(MSR) == (MSR_DSR | MSR_TERI), "RI going off sets TERI");

	wr(FCR, FCR_ENABLE | FCR_CLEAR_RX | FCR_CLEAR_TX);
	const char *msg = "0123456789abcdefX"; /* 17: one more than the FIFO holds */
	for (const char *p = msg; *p; p++)
		wr(THR, (uint8_t)*p);
	uint8_t lsr = rd(LSR);
	check(lsr == (LSR_DR | LSR_OE | LSR_THRE | LSR_TEMT) &&
		      rd(LSR) == (LSR_DR | LSR_THRE | LSR_TEMT),
	      "17 bytes looped into the FIFO: data ready, an overrun, which reading LSR clears");
	char got[17] = { 0 };
	unsigned n = 0;
	while ((rd(LSR) & LSR_DR) && n < 16)
		got[n++] = (char)rd(RBR);
	bool same = n == 16 && !(rd(LSR) & LSR_DR);
	for (unsigned i = 0; i < n; i++)
		same &= got[i] == msg[i];
	check(same, "the FIFO gave back the first 16 in order, the 17th was lost: %s", got);

	wr(THR, 'a');
	wr(THR, 'b');
	wr(FCR, FCR_ENABLE | FCR_CLEAR_TX);
	check(rd(LSR) & LSR_DR, "a transmit FIFO reset leaves the receiver alone");
	wr(FCR, FCR_ENABLE | FCR_CLEAR_RX);
	check(!(rd(LSR) & LSR_DR), "a receive FIFO reset empties it");

	wr(FCR, 0); /* 16450 mode: one byte, and an overrun replaces it */
	wr(THR, 'x');
	wr(THR, 'y');
	lsr = rd(LSR);
	check((lsr & (LSR_DR | LSR_OE)) == (LSR_DR | LSR_OE) && rd(RBR) == 'y' && !(rd(LSR) & LSR_DR),
	      "without FIFOs a second byte overruns the first and takes its place");
}

static void trigger_levels(void)
{
	static const unsigned levels[4] = { 1, 4, 8, 14 };
	bool ok = true;
	wr(IER, IER_RDI);
	for (unsigned t = 0; t < 4; t++) {
		wr(FCR, FCR_ENABLE | FCR_CLEAR_RX | FCR_TRIGGER(t));
		for (unsigned n = 1; n <= levels[t]; n++) {
			wr(THR, (uint8_t)n);
			uint8_t want = n < levels[t] ? IIR_TIMEOUT : IIR_RDA;
			ok &= rd(IIR) == (IIR_FIFOS | want);
		}
	}
	check(ok, "below the trigger level (1, 4, 8, 14) a character timeout, at it data available");
	wr(FCR, FCR_ENABLE | FCR_CLEAR_RX);
	check(rd(IIR) == (IIR_FIFOS | IIR_NONE), "an empty FIFO interrupts no more");
	wr(IER, 0);
}

/* Datasheet table 4: line status, then received data, then THR empty, then modem status. */
static void priorities(void)
{
	wr(FCR, FCR_ENABLE | FCR_CLEAR_RX);
	wr(MCR, MCR_LOOP);
	rd(MSR);
	wr(MCR, MCR_LOOP | MCR_RTS); /* a modem status change */
	wr(IER, IER_RDI | IER_THRI | IER_RLSI | IER_MSI);
	for (unsigned i = 0; i < 17; i++) /* data, and an overrun */
		wr(THR, (uint8_t)i);
	uint8_t a = rd(IIR);
	rd(LSR);
	uint8_t b = rd(IIR);
	while (rd(LSR) & LSR_DR)
		rd(RBR);
	uint8_t c = rd(IIR); /* this read acknowledges THRE */
	uint8_t d = rd(IIR);
	rd(MSR);
	uint8_t e = rd(IIR);
	check(a == (IIR_FIFOS | IIR_RLS) && b == (IIR_FIFOS | IIR_RDA) &&
		      c == (IIR_FIFOS | IIR_THRE) && d == (IIR_FIFOS | IIR_MS) &&
		      e == (IIR_FIFOS | IIR_NONE),
	      "IIR: line status %x, data %x, THR empty %x, modem status %x, then none %x", a, b, c,
	      d, e);
	wr(IER, 0);
}

static void interrupts(void)
{
	ctx = 2 * 0 + 1;
	trap_set_hook(irq_hook);
	csr_set(sie, SIE_SEIE);
	mmio_write32(PLIC_PRIORITY(IRQ), 1);
	mmio_write32(PLIC_ENABLE(ctx), 1U << IRQ);
	mmio_write32(PLIC_THRESHOLD(ctx), 0);
	wr(FCR, FCR_ENABLE | FCR_CLEAR_RX | FCR_TRIGGER(2));
	/* The tests above raised the line with the source disabled: the PLIC's gateway kept
	 * that request until it is claimed. */
	uint32_t stale = mmio_read32(PLIC_CLAIM(ctx));
	if (stale)
		mmio_write32(PLIC_CLAIM(ctx), stale);
	check(!pending_at_plic(), "nothing pending at the PLIC with IER clear");

	first_iir = 0;
	wr(IER, IER_THRI); /* with nothing to send the handler turns it off again */
	check(wait_count(&thre_irqs, 1, 1000) && first_iir == (IIR_FIFOS | IIR_THRE),
	      "enabling the THR-empty interrupt raises it through PLIC source %d", IRQ);
	check(!pending_at_plic() && rd(IIR) == (IIR_FIFOS | IIR_NONE), "served, the line is low");

	unsigned long before = thre_irqs;
	tx_next = "uart: this line went out 16 bytes a THR-empty interrupt\r\n";
	wr(IER, IER_THRI);
	check(wait_count(&thre_irqs, before + 4, 1000) && !*tx_next && rd(IER) == 0,
	      "a line sent in 16-byte bursts, one per THR-empty interrupt: %lu", thre_irqs - before);

	/* Received data, looped back: three bytes stay below the trigger (8) and come by a
	 * character timeout, eight reach it. */
	wr(MCR, MCR_LOOP);
	rx_len = 0;
	first_iir = 0;
	wr(IER, IER_RDI | IER_RLSI);
	wr(THR, 'a');
	wr(THR, 'b');
	wr(THR, 'c');
	check(wait_count(&rx_len, 3, 1000) && first_iir == (IIR_FIFOS | IIR_TIMEOUT) &&
		      rx_is("abc", 3),
	      "three bytes below the trigger level came by a character timeout");
	rx_len = 0;
	first_iir = 0;
	for (const char *p = "12345678"; *p; p++)
		wr(THR, (uint8_t)*p);
	check(wait_count(&rx_len, 8, 1000) && first_iir == (IIR_FIFOS | IIR_RDA) &&
		      rx_is("12345678", 8),
	      "eight bytes at the trigger level came as data available");

	before = ms_irqs;
	wr(IER, IER_MSI);
	wr(MCR, MCR_LOOP | MCR_DTR); /* DSR changes */
	check(wait_count(&ms_irqs, before + 1, 1000) && !(rd(MSR) & 0x0f),
	      "a modem status change interrupts, and reading MSR clears it");
	wr(IER, 0);
	wr(MCR, 0);
	check(rls_irqs == 0, "no line status interrupt on the way");
}

/* Reads a line up to CR from the keyboard, echoing each byte; by interrupts or by polling. */
static unsigned read_line(bool by_interrupts, char *line, unsigned size)
{
	unsigned n = 0;
	unsigned long echoed = 0;
	uint64_t deadline = rdtime() + MS_TO_TICKS(KEYBOARD_WAIT_MS);
	rx_len = 0;
	if (by_interrupts)
		wr(IER, IER_RDI | IER_RLSI);
	while (rdtime() < deadline && !(n && line[n - 1] == '\r')) {
		if (by_interrupts) {
			wait_count(&rx_len, echoed + 1, 100);
		} else if (rd(LSR) & LSR_DR) {
			if (rx_len < sizeof(rx))
				rx[rx_len++] = (char)rd(RBR);
		} else {
			delay_ticks(MS_TO_TICKS(1));
		}
		for (; echoed < rx_len; echoed++) {
			char c = rx[echoed];
			char s[2] = { c, 0 };
			put_polled(c == '\r' ? "\r\n" : s);
			if (n < size - 1)
				line[n++] = c;
			if (c == '\r')
				break;
		}
	}
	wr(IER, 0);
	line[n] = '\0';
	return n;
}

static unsigned checksum(const char *s)
{
	unsigned sum = 0;
	for (; *s; s++)
		sum = sum * 31 + (unsigned char)*s;
	return sum;
}

static void keyboard(void)
{
	static char line[512];
	wr(FCR, FCR_ENABLE | FCR_CLEAR_RX | FCR_TRIGGER(3));
	put_polled("uart: type a line\r\n");
	unsigned n = read_line(true, line, sizeof(line));
	check(n > 1 && line[n - 1] == '\r', "a line came by interrupts");
	line[n ? n - 1 : 0] = '\0';
	print("uart: by interrupts: %u bytes, sum %x\n", n ? n - 1 : 0, checksum(line));

	wr(FCR, 0);
	put_polled("uart: type another line\r\n");
	n = read_line(false, line, sizeof(line));
	check(n > 1 && line[n - 1] == '\r', "a line came by polling LSR");
	line[n ? n - 1 : 0] = '\0';
	print("uart: by polling: %u bytes, sum %x\n", n ? n - 1 : 0, checksum(line));
}

static void misuse(void)
{
	uint32_t wide = *(volatile uint32_t *)UART;
	*(volatile uint8_t *)(UART + 8) = 1;
	wr(LSR, 0);
	wr(SCR, 0x3c);
	check(wide == 0 && rd(SCR) == 0x3c && rd(LSR) == (LSR_THRE | LSR_TEMT),
	      "after a 4-byte read, a write past the registers and one to LSR it still answers");
}

void main(unsigned long hartid, unsigned long dtb)
{
	(void)hartid, (void)dtb;
	registers_at_reset();
	divisor_latch();
	fifos_and_loopback();
	trigger_levels();
	priorities();
	wr(MCR, 0);
	interrupts();
	keyboard();
	misuse();
	finish();
}
