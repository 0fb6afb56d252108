/* disk list | disk create NAME MiB | disk delete NAME: the volumes of the host disk, kept
 * by the block server ("block"); `linux disk=NAME` gives one to a guest. */
#include <string.h>

#include "commands.h"
#include "vireo.h"

static int64_t block_ep(void)
{
	static int64_t ep;
	if (ep <= 0)
		ep = lookup("block");
	if (ep == VIREO_E_DEAD)
		printf("disk: this machine has no disk (QEMU was started without --disk)\n");
	else if (ep < 0)
		printf("disk: no block server: %s\n", error_name(ep));
	return ep;
}

/* Prints the block server's answer: its text, or what the status means. */
static void report(const struct msg *r, const char *done)
{
	int64_t st = r->status < 0 ? r->status : (int64_t)r->w[0];
	size_t n = vireo_ipc_len(r->info);
	if (st == 0 && done) {
		printf("%s\n", done);
	} else if (st == 0 || n) {
		if (st)
			printf("disk: ");
		puts_ipc_data(n);
		if (st)
			printf("\n");
	} else {
		printf("disk: %s\n", error_name(st));
	}
}

static bool parse_mib(const char *s, uint64_t *v)
{
	*v = 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || *v > 100000000)
			return false;
		*v = *v * 10 + (uint64_t)(*s - '0');
	}
	return *v > 0;
}

void cmd_disk(int argc, char **argv)
{
	uint64_t mib;
	bool list = argc == 2 && !strcmp(argv[1], "list");
	bool create = argc == 4 && !strcmp(argv[1], "create");
	bool delete = argc == 3 && !strcmp(argv[1], "delete");
	if (!list && !create && !delete) {
		printf("usage: disk list | disk create NAME MiB | disk delete NAME\n");
		return;
	}
	if (create && !parse_mib(argv[3], &mib)) {
		printf("disk: the size is a number of MiB, at least 1\n");
		return;
	}
	int64_t ep = block_ep();
	if (ep < 0)
		return;
	struct msg r;
	char done[64];
	if (list) {
		r = ipc_call((uint64_t)ep, vireo_ipc_info(BLOCK_LIST, 0), 0, 0, 0, 0);
		report(&r, NULL);
		return;
	}
	snformat(done, sizeof(done), "%s %s", create ? "created" : "deleted", argv[2]);
	r = ipc_call((uint64_t)ep, ipc_data(create ? BLOCK_CREATE : BLOCK_DELETE, argv[2],
					    strlen(argv[2])), create ? mib : 0, 0, 0, 0);
	report(&r, done);
}
