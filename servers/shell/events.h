/* The shell's one place to wait: for keys, and meanwhile for news that comes as notification
 * bits on one endpoint (a VM ended, the console driver or the VM monitor ended), handled as
 * it comes rather than at the next command. */
#ifndef SHELL_EVENTS_H
#define SHELL_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EVENT_INPUT 1         /* the console has input (CONSOLE_SUBSCRIBE) */
#define EVENT_CONSOLE_ENDED 2 /* init: the console driver ended (INIT_WATCH) */
#define EVENT_VMM_ENDED 4     /* init: the VM monitor ended */
#define EVENT_VM_FIRST 8      /* and up, one bit per VM the shell follows (vm.c) */

/* The endpoint all of it is notified on; 0 if it could not be made. */
uint64_t events_endpoint(void);
/* Waits for keys and returns how many it put in buf; or returns 0 after news that printed
 * something or ended the VM the keyboard goes to, for the caller to look again. */
size_t wait_for_keys(char *buf, size_t len);
void pause_us(uint64_t us);

/* vm.c: takes the VM news among bits; true if it printed or ended the attached VM. */
bool vm_news(uint64_t bits);
/* exec.c: takes the news that a `linux exec` command ended; true if it is among bits. */
bool exec_news(uint64_t bits);

#endif
