/* The labels of the thread tests' server (thread-server.c; threads.c, thread-stress.c). */
#ifndef THREADS_H
#define THREADS_H

enum threadsrv_label {
	THREADSRV_PING = 1, /* w0..w3 -> w0 + 1, w1 ^ w0, ~w2, the caller's thread id */
	THREADSRV_DATA,     /* data -> reversed, w0 = the bytes' sum, w1 = their count */
	THREADSRV_HANDLE,   /* a handle -> closed by the server; w0 = 1 if it came */
	THREADSRV_COUNT,    /* -> w0 = calls served, w1 = messages that came wrong */
	THREADSRV_QUIT,     /* -> the server ends after this answer */
	THREADSRV_HOLD,     /* never answered: the caller waits until the server ends */
};

/* Each of thread-client's threads makes this many calls. */
#define THREAD_CLIENT_ROUNDS 300

#endif
