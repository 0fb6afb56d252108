/* The labels of the IPC fallback test (ipcmix.c, ipcmix-server.c, ipcmix-hold.c). */
#ifndef IPCMIX_H
#define IPCMIX_H

enum ipcmix_label {
	IPCMIX_PING = 1, /* w0..w3 -> w0 + 1, w1 * 2, ~w2, w3: registers only */
	IPCMIX_DATA,     /* data -> w0 = the bytes' sum, w1 = their count, data reversed */
	IPCMIX_HANDLE,   /* a handle -> w0 = 1 if it arrived, and the server's endpoint */
	IPCMIX_BUSY,     /* w0 -> w0 + 1, answered while notification bits wait */
	IPCMIX_CHECK,    /* -> w0 = wrong messages the server saw, w1 = BUSY calls served;
			  * then the server starts ipcmix-hold */
	IPCMIX_HOLD,     /* never answered: the caller is to be killed while it waits */
};

#define IPCMIX_BIT_SELF 1u  /* notified by the server itself */
#define IPCMIX_BIT_TIMER 2u /* its endpoint timer */
#define IPCMIX_BIT_LATE 4u  /* the timer that ends its wait after the caller was killed */

#endif
