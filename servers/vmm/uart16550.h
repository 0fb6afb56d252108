/* The register file of an NS16550A UART (National Semiconductor PC16550D datasheet), as a
 * pure state machine: no system calls, so the host unit tests and the fuzzer run it as is.
 * The monitor's glue (uart.c) maps it into the guest, feeds it keyboard bytes and takes
 * what it transmits.
 *
 * The line is ideal: a byte written to THR leaves at once (THRE and TEMT are always set),
 * a received byte never has a parity or framing error and no break ever comes. Bytes
 * arrive only when the monitor hands them over, all it has at once, so whenever the receive
 * FIFO holds fewer bytes than its trigger level, no more are coming: the character timeout
 * (datasheet: four character times without a byte in or out) holds as soon as that is so. */
#ifndef UART16550_H
#define UART16550_H

#include <stdbool.h>
#include <stdint.h>

#define UART16550_REGS 8  /* one byte each, reg-shift 0 */
#define UART16550_FIFO 16

/* Register offsets; DLAB (LCR bit 7) turns 0 and 1 into the divisor latch. */
enum {
	UART_RBR = 0, UART_THR = 0, UART_DLL = 0,
	UART_IER = 1, UART_DLM = 1,
	UART_IIR = 2, UART_FCR = 2,
	UART_LCR = 3, UART_MCR = 4, UART_LSR = 5, UART_MSR = 6, UART_SCR = 7,
};

#define UART_IER_RDI 0x01  /* received data available (and character timeout) */
#define UART_IER_THRI 0x02 /* transmitter holding register empty */
#define UART_IER_RLSI 0x04 /* receiver line status */
#define UART_IER_MSI 0x08  /* modem status */

#define UART_IIR_NO_INT 0x01
#define UART_IIR_MSI 0x00
#define UART_IIR_THRI 0x02
#define UART_IIR_RDI 0x04
#define UART_IIR_RLSI 0x06
#define UART_IIR_TIMEOUT 0x0c
#define UART_IIR_FIFOS 0xc0 /* both set while the FIFOs are enabled */

#define UART_FCR_ENABLE 0x01
#define UART_FCR_CLEAR_RX 0x02
#define UART_FCR_CLEAR_TX 0x04
#define UART_FCR_TRIGGER_SHIFT 6

#define UART_LCR_DLAB 0x80

#define UART_MCR_DTR 0x01
#define UART_MCR_RTS 0x02
#define UART_MCR_OUT1 0x04
#define UART_MCR_OUT2 0x08
#define UART_MCR_LOOP 0x10

#define UART_LSR_DR 0x01
#define UART_LSR_OE 0x02
#define UART_LSR_PE 0x04
#define UART_LSR_FE 0x08
#define UART_LSR_BI 0x10
#define UART_LSR_THRE 0x20
#define UART_LSR_TEMT 0x40
#define UART_LSR_ERRORS (UART_LSR_OE | UART_LSR_PE | UART_LSR_FE | UART_LSR_BI)

#define UART_MSR_DCTS 0x01
#define UART_MSR_DDSR 0x02
#define UART_MSR_TERI 0x04
#define UART_MSR_DDCD 0x08
#define UART_MSR_CTS 0x10
#define UART_MSR_DSR 0x20
#define UART_MSR_RI 0x40
#define UART_MSR_DCD 0x80
/* Outside loopback the modem inputs are those of a terminal that is always there. */
#define UART_MSR_LINE (UART_MSR_CTS | UART_MSR_DSR | UART_MSR_DCD)

struct uart16550 {
	uint8_t ier, lcr, mcr, scr, dll, dlm;
	uint8_t fcr;          /* FIFO enable and trigger bits as last programmed */
	uint8_t line_errors;  /* LSR error bits since LSR was last read (here: only OE) */
	uint8_t msr;          /* modem inputs (high nibble) and their changes (low nibble) */
	bool thre_pending;    /* the THR-empty interrupt, until IIR reports it or THR is written */
	uint8_t rx[UART16550_FIFO];
	uint8_t rx_head, rx_len;
};

/* Power-on state (datasheet table "UART reset configuration"). */
void uart16550_reset(struct uart16550 *u);
/* A guest access to register reg (0..7). A read may change state (RBR pops the FIFO, LSR
 * and MSR clear their change bits, IIR acknowledges THRE). A write returns the byte that
 * goes out on the line, or -1: another register, or a THR write looped back in. */
uint8_t uart16550_read(struct uart16550 *u, unsigned reg);
int uart16550_write(struct uart16550 *u, unsigned reg, uint8_t value);
/* Whether a byte from the line would be kept: not in loopback (the line is cut off then)
 * and room in the receiver (16 bytes with the FIFOs on, 1 without). */
bool uart16550_can_receive(const struct uart16550 *u);
/* A byte from the line. With no room it is an overrun (LSR OE): in FIFO mode the byte is
 * lost, in 16450 mode it replaces the unread one. */
void uart16550_receive(struct uart16550 *u, uint8_t byte);
/* IIR as a read would return it, without acknowledging anything. */
uint8_t uart16550_iir(const struct uart16550 *u);
/* The interrupt line: high while any enabled condition holds. */
bool uart16550_irq(const struct uart16550 *u);

#endif
