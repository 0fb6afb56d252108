/* flood: a bad guest that writes 200000 lines of 60 characters (plus a newline) through
 * DBCN as fast as it can, one write per line, then shuts down cleanly. Each line carries its
 * number, so whoever reads the console can tell whether lines were dropped. Vireo must stay
 * responsive, and other guests' consoles usable, meanwhile. Prints no DONE; its last line is
 * "flood: wrote 200000 lines". */
#include "lib.h"

#define LINES 200000
#define WIDTH 60

void main(unsigned long hartid, unsigned long dtb)
{
	(void)hartid;
	(void)dtb;
	char line[WIDTH + 1];
	for (unsigned i = 0; i < WIDTH; i++)
		line[i] = (char)('a' + i % 26);
	line[WIDTH] = '\n';
	memcpy(line, "flood ", 6);
	line[12] = ' ';
	for (unsigned n = 0; n < LINES; n++) {
		unsigned v = n;
		for (int d = 11; d >= 6; d--) {
			line[d] = (char)('0' + v % 10);
			v /= 10;
		}
		console_write(line, sizeof(line));
	}
	print("flood: wrote %u lines\n", LINES);
	sbi_system_reset(SBI_SRST_SHUTDOWN, SBI_SRST_REASON_NONE);
}
