/* The monitor's NS16550A register file (servers/vmm/uart16550.c), driven as a guest's
 * driver would and as the monitor feeds it, against the PC16550D datasheet. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../servers/vmm/uart16550.h"

static struct uart16550 u;

static int setup(void **state)
{
	(void)state;
	uart16550_reset(&u);
	return 0;
}

static uint8_t rd(unsigned reg)
{
	return uart16550_read(&u, reg);
}

static void wr(unsigned reg, uint8_t v)
{
	assert_int_equal(uart16550_write(&u, reg, v), -1);
}

static void fifo_on(unsigned trigger_bits)
{
	wr(UART_FCR, (uint8_t)(UART_FCR_ENABLE | trigger_bits << UART_FCR_TRIGGER_SHIFT));
}

static void receive(const char *s)
{
	for (; *s; s++) {
		assert_true(uart16550_can_receive(&u));
		uart16550_receive(&u, (uint8_t)*s);
	}
}

static void test_reset_state(void **state)
{
	(void)state;
	assert_int_equal(rd(UART_IER), 0);
	assert_int_equal(rd(UART_IIR), UART_IIR_NO_INT);
	assert_int_equal(rd(UART_LCR), 0);
	assert_int_equal(rd(UART_MCR), 0);
	assert_int_equal(rd(UART_LSR), UART_LSR_THRE | UART_LSR_TEMT);
	assert_int_equal(rd(UART_MSR), UART_MSR_CTS | UART_MSR_DSR | UART_MSR_DCD);
	assert_int_equal(rd(UART_SCR), 0);
	assert_int_equal(rd(UART_RBR), 0); /* nothing received */
	assert_false(uart16550_irq(&u));
	assert_true(uart16550_can_receive(&u));
}

static void test_divisor_latch_behind_dlab(void **state)
{
	(void)state;
	wr(UART_IER, UART_IER_RDI);
	wr(UART_LCR, UART_LCR_DLAB | 0x03);
	assert_int_equal(rd(UART_DLL), 1); /* the reset divisor divides nothing by zero */
	wr(UART_DLL, 0x02);
	wr(UART_DLM, 0x01);
	assert_int_equal(rd(UART_DLL), 0x02);
	assert_int_equal(rd(UART_DLM), 0x01);
	assert_int_equal(rd(UART_LCR), UART_LCR_DLAB | 0x03);
	receive("x"); /* RBR hides behind DLL */
	assert_int_equal(rd(UART_RBR), 0x02);
	wr(UART_LCR, 0x03);
	assert_int_equal(rd(UART_IER), UART_IER_RDI); /* IER untouched by the DLM write */
	assert_int_equal(rd(UART_RBR), 'x');
	wr(UART_LCR, UART_LCR_DLAB);
	assert_int_equal(rd(UART_DLL), 0x02); /* kept while DLAB was off */
	assert_int_equal(rd(UART_DLM), 0x01);
}

static void test_thr_write_transmits_and_thr_stays_empty(void **state)
{
	(void)state;
	assert_int_equal(uart16550_write(&u, UART_THR, 'A'), 'A');
	assert_int_equal(uart16550_write(&u, UART_THR, 0xff), 0xff);
	assert_int_equal(rd(UART_LSR), UART_LSR_THRE | UART_LSR_TEMT);
	wr(UART_LCR, UART_LCR_DLAB);
	assert_int_equal(uart16550_write(&u, UART_THR, 'B'), -1); /* that was DLL */
}

static void test_thre_interrupt(void **state)
{
	(void)state;
	wr(UART_IER, UART_IER_THRI); /* enabling it while THR is empty raises it */
	assert_true(uart16550_irq(&u));
	assert_int_equal(uart16550_iir(&u), UART_IIR_THRI);
	assert_int_equal(rd(UART_IIR), UART_IIR_THRI); /* the read acknowledges it */
	assert_false(uart16550_irq(&u));
	assert_int_equal(rd(UART_IIR), UART_IIR_NO_INT);
	assert_int_equal(uart16550_write(&u, UART_THR, 'z'), 'z'); /* empty again: raised */
	assert_true(uart16550_irq(&u));
	wr(UART_IER, 0);
	assert_false(uart16550_irq(&u));
	/* Linux's UART_BUG_THRE probe: enable, read IIR, disable, enable, read IIR again. */
	wr(UART_IER, UART_IER_THRI);
	uint8_t iir1 = rd(UART_IIR);
	wr(UART_IER, 0);
	wr(UART_IER, UART_IER_THRI);
	uint8_t iir2 = rd(UART_IIR);
	assert_false(iir1 & UART_IIR_NO_INT);
	assert_false(iir2 & UART_IIR_NO_INT);
	/* Rewriting IER with THRI already on does not raise it again. */
	wr(UART_IER, UART_IER_THRI);
	assert_false(uart16550_irq(&u));
}

static void test_16450_mode_receive_and_overrun(void **state)
{
	(void)state;
	wr(UART_IER, UART_IER_RDI | UART_IER_RLSI);
	receive("a");
	assert_false(uart16550_can_receive(&u)); /* one byte of room without FIFOs */
	assert_int_equal(uart16550_iir(&u), UART_IIR_RDI);
	uart16550_receive(&u, 'b'); /* before 'a' was read: an overrun destroys 'a' */
	assert_int_equal(uart16550_iir(&u), UART_IIR_RLSI);
	assert_int_equal(rd(UART_LSR), UART_LSR_DR | UART_LSR_OE | UART_LSR_THRE | UART_LSR_TEMT);
	assert_int_equal(rd(UART_LSR), UART_LSR_DR | UART_LSR_THRE | UART_LSR_TEMT);
	assert_int_equal(uart16550_iir(&u), UART_IIR_RDI);
	assert_int_equal(rd(UART_RBR), 'b');
	assert_int_equal(rd(UART_LSR) & UART_LSR_DR, 0);
	assert_int_equal(rd(UART_IIR), UART_IIR_NO_INT);
}

static void test_fifo_holds_16_in_order_then_overruns(void **state)
{
	(void)state;
	fifo_on(3);
	assert_int_equal(rd(UART_IIR), UART_IIR_FIFOS | UART_IIR_NO_INT);
	receive("0123456789abcdef");
	assert_false(uart16550_can_receive(&u));
	uart16550_receive(&u, 'X'); /* lost: the FIFO keeps what it has */
	assert_int_equal(rd(UART_LSR), UART_LSR_DR | UART_LSR_OE | UART_LSR_THRE | UART_LSR_TEMT);
	for (const char *p = "0123456789abcdef"; *p; p++) {
		assert_true(rd(UART_LSR) & UART_LSR_DR);
		assert_int_equal(rd(UART_RBR), *p);
	}
	assert_false(rd(UART_LSR) & UART_LSR_DR);
	assert_true(uart16550_can_receive(&u));
	receive("g"); /* wraps around the ring */
	assert_int_equal(rd(UART_RBR), 'g');
}

static void test_trigger_levels_and_character_timeout(void **state)
{
	(void)state;
	static const unsigned levels[4] = { 1, 4, 8, 14 };
	for (unsigned t = 0; t < 4; t++) {
		uart16550_reset(&u);
		wr(UART_IER, UART_IER_RDI);
		fifo_on(t);
		for (unsigned n = 1; n <= levels[t]; n++) {
			uart16550_receive(&u, (uint8_t)n);
			uint8_t want = n < levels[t] ? UART_IIR_TIMEOUT : UART_IIR_RDI;
			assert_int_equal(uart16550_iir(&u), UART_IIR_FIFOS | want);
		}
		/* Reading one below the level leaves a timeout, reading all clears it. */
		rd(UART_RBR);
		if (levels[t] > 1)
			assert_int_equal(uart16550_iir(&u), UART_IIR_FIFOS | UART_IIR_TIMEOUT);
		while (rd(UART_LSR) & UART_LSR_DR)
			rd(UART_RBR);
		assert_int_equal(uart16550_iir(&u), UART_IIR_FIFOS | UART_IIR_NO_INT);
	}
}

static void test_fifo_reset_and_mode_switch_clear_the_receiver(void **state)
{
	(void)state;
	fifo_on(2);
	receive("abc");
	wr(UART_FCR, UART_FCR_ENABLE | UART_FCR_CLEAR_TX); /* the transmitter only */
	assert_true(rd(UART_LSR) & UART_LSR_DR);
	wr(UART_FCR, UART_FCR_ENABLE | UART_FCR_CLEAR_RX | 2 << UART_FCR_TRIGGER_SHIFT);
	assert_false(rd(UART_LSR) & UART_LSR_DR);
	receive("abc");
	wr(UART_FCR, 0); /* FIFOs off: emptied */
	assert_false(rd(UART_LSR) & UART_LSR_DR);
	assert_int_equal(rd(UART_IIR) & UART_IIR_FIFOS, 0);
	receive("a");
	fifo_on(0); /* and on again: emptied too */
	assert_false(rd(UART_LSR) & UART_LSR_DR);
	/* Without bit 0 the trigger bits are not programmed. */
	wr(UART_FCR, 3 << UART_FCR_TRIGGER_SHIFT);
	wr(UART_IER, UART_IER_RDI);
	receive("a");
	assert_int_equal(uart16550_iir(&u), UART_IIR_RDI);
}

/* Datasheet table 4: line status, then received data (or timeout), then THRE, then modem
 * status; each read clears the one it reports. */
static void test_interrupt_priorities(void **state)
{
	(void)state;
	fifo_on(0);
	wr(UART_MCR, UART_MCR_LOOP); /* modem inputs follow MCR: CTS|DSR|DCD fall, deltas set */
	wr(UART_IER, 0x0f);
	for (unsigned i = 0; i < 17; i++) /* looped back, the 17th overruns */
		assert_int_equal(uart16550_write(&u, UART_THR, (uint8_t)i), -1);
	assert_int_equal(uart16550_iir(&u), UART_IIR_FIFOS | UART_IIR_RLSI);
	assert_true(rd(UART_LSR) & UART_LSR_OE);
	assert_int_equal(uart16550_iir(&u), UART_IIR_FIFOS | UART_IIR_RDI);
	while (rd(UART_LSR) & UART_LSR_DR)
		rd(UART_RBR);
	assert_int_equal(rd(UART_IIR), UART_IIR_FIFOS | UART_IIR_THRI);
	assert_int_equal(uart16550_iir(&u), UART_IIR_FIFOS | UART_IIR_MSI);
	assert_int_equal(rd(UART_MSR), UART_MSR_DCTS | UART_MSR_DDSR | UART_MSR_DDCD);
	assert_int_equal(rd(UART_IIR), UART_IIR_FIFOS | UART_IIR_NO_INT);
	assert_false(uart16550_irq(&u));
	/* A source that is not enabled is not reported, however high its priority. */
	wr(UART_IER, UART_IER_MSI);
	assert_int_equal(uart16550_write(&u, UART_THR, 1), -1);
	assert_int_equal(uart16550_write(&u, UART_MCR, UART_MCR_LOOP | UART_MCR_RTS), -1);
	assert_int_equal(uart16550_iir(&u), UART_IIR_FIFOS | UART_IIR_MSI);
}

static void test_loopback(void **state)
{
	(void)state;
	wr(UART_MCR, UART_MCR_LOOP | UART_MCR_RTS | UART_MCR_OUT2); /* Linux's autoconfig probe */
	assert_int_equal(rd(UART_MSR) & 0xf0, UART_MSR_CTS | UART_MSR_DCD);
	assert_false(uart16550_can_receive(&u)); /* the line is cut off */
	uart16550_receive(&u, 'L');
	assert_false(rd(UART_LSR) & UART_LSR_DR);
	assert_int_equal(uart16550_write(&u, UART_THR, 'k'), -1); /* nothing goes out */
	assert_int_equal(rd(UART_LSR), UART_LSR_DR | UART_LSR_THRE | UART_LSR_TEMT);
	assert_int_equal(rd(UART_RBR), 'k');
	wr(UART_MCR, UART_MCR_LOOP | UART_MCR_DTR | UART_MCR_OUT1);
	assert_int_equal(rd(UART_MSR), UART_MSR_DSR | UART_MSR_RI | UART_MSR_DCTS | UART_MSR_DDSR |
					       UART_MSR_DDCD);
	assert_int_equal(rd(UART_MSR), UART_MSR_DSR | UART_MSR_RI); /* changes read once */
	wr(UART_MCR, UART_MCR_LOOP | UART_MCR_DTR); /* RI off: its trailing edge */
	assert_int_equal(rd(UART_MSR), UART_MSR_DSR | UART_MSR_TERI);
	wr(UART_MCR, UART_MCR_LOOP | UART_MCR_DTR | UART_MCR_OUT1); /* RI on: no TERI */
	assert_int_equal(rd(UART_MSR), UART_MSR_DSR | UART_MSR_RI);
	wr(UART_MCR, 0); /* back on the line: the terminal's inputs again */
	assert_int_equal(rd(UART_MSR) & 0xf0, UART_MSR_LINE);
	assert_true(uart16550_can_receive(&u));
	assert_int_equal(uart16550_write(&u, UART_THR, 'o'), 'o');
}

static void test_plain_registers(void **state)
{
	(void)state;
	wr(UART_SCR, 0x5a);
	assert_int_equal(rd(UART_SCR), 0x5a);
	wr(UART_IER, 0xff); /* bits 4-7 are always 0 */
	assert_int_equal(rd(UART_IER), 0x0f);
	wr(UART_MCR, 0xef); /* bits 5-7 too */
	assert_int_equal(rd(UART_MCR), 0x0f);
	wr(UART_LCR, 0x7f);
	assert_int_equal(rd(UART_LCR), 0x7f);
	wr(UART_IER, 0);
	wr(UART_MCR, 0);
	rd(UART_MSR);
	wr(UART_LSR, 0xff); /* read-only */
	wr(UART_MSR, 0xff);
	assert_int_equal(rd(UART_LSR), UART_LSR_THRE | UART_LSR_TEMT);
	assert_int_equal(rd(UART_MSR), UART_MSR_LINE);
	assert_int_equal(uart16550_read(&u, 8), 0); /* past the registers */
	assert_int_equal(uart16550_write(&u, 8, 1), -1);
}

/* What Linux's 8250 does with a line typed on ttyS0: FIFOs at trigger 8, RX interrupts on;
 * the monitor refills the FIFO after each read, so one interrupt takes the whole line. */
static void test_linux_rx_burst(void **state)
{
	(void)state;
	const char *line = "a line longer than one FIFO's worth of bytes\r";
	const char *next = line;
	char got[64] = { 0 };
	unsigned n = 0;
	wr(UART_FCR, UART_FCR_ENABLE | UART_FCR_CLEAR_RX | UART_FCR_CLEAR_TX | 2 << 6);
	wr(UART_IER, UART_IER_RDI | UART_IER_RLSI);
	while (*next && uart16550_can_receive(&u))
		uart16550_receive(&u, (uint8_t)*next++);
	assert_int_equal(uart16550_iir(&u), UART_IIR_FIFOS | UART_IIR_RDI);
	while (rd(UART_LSR) & UART_LSR_DR) {
		got[n++] = (char)rd(UART_RBR);
		while (*next && uart16550_can_receive(&u))
			uart16550_receive(&u, (uint8_t)*next++);
	}
	assert_string_equal(got, line);
	assert_int_equal(rd(UART_IIR), UART_IIR_FIFOS | UART_IIR_NO_INT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_reset_state, setup),
		cmocka_unit_test_setup(test_divisor_latch_behind_dlab, setup),
		cmocka_unit_test_setup(test_thr_write_transmits_and_thr_stays_empty, setup),
		cmocka_unit_test_setup(test_thre_interrupt, setup),
		cmocka_unit_test_setup(test_16450_mode_receive_and_overrun, setup),
		cmocka_unit_test_setup(test_fifo_holds_16_in_order_then_overruns, setup),
		cmocka_unit_test_setup(test_trigger_levels_and_character_timeout, setup),
		cmocka_unit_test_setup(test_fifo_reset_and_mode_switch_clear_the_receiver, setup),
		cmocka_unit_test_setup(test_interrupt_priorities, setup),
		cmocka_unit_test_setup(test_loopback, setup),
		cmocka_unit_test_setup(test_plain_registers, setup),
		cmocka_unit_test_setup(test_linux_rx_burst, setup),
	};
	return cmocka_run_group_tests_name("uart16550", tests, NULL, NULL);
}
