#include "guest_isa.h"

#include <string.h>

/* Base ISA letters that run in VS-mode as they do in S-mode, state and all (the FPU is
 * switched per vCPU). Not V: vector state is not switched, and sstatus.VS stays off. Not
 * H: no nested virtualization. */
static const char letters[] = "imafdcb";

/* Multi-letter extensions a guest can use with nothing from the hypervisor: instructions
 * that need no enabling bit, counters hcounteren passes through (cycle, time, instret),
 * and properties of memory. Anything not here is withheld: Svpbmt and Svadu (henvcfg bits
 * Vireo leaves clear), Zawrs (WRS traps with hstatus.VTW), Sscofpmf, Smstateen, the AIA,
 * Zihpm, Zkr and the vector family. */
static const char *const multi[] = {
	"zicsr", "zifencei", "zicntr", "zihintpause", "zihintntl", "zicond", "zicbop", "zimop",
	"zcmop", "zmmul", "zaamo", "zalrsc", "zacas", "zabha", "zfa", "zfh", "zfhmin", "zca",
	"zcb", "zcd", "zcf", "zba", "zbb", "zbc", "zbs", "zbkb", "zbkc", "zbkx", "zknd", "zkne",
	"zknh", "zksed", "zksh", "zkt", "zic64b", "ziccamoa", "ziccif", "zicclsm", "ziccrse",
	"za64rs", "za128rs", "zama16b", "svnapot", "svinval", "sstvala", "sstvecd", "ssccptr",
};

static const struct {
	const char *name;
	unsigned flag;
} conditional[] = {
	{ "sstc", GUEST_ISA_SSTC },
	{ "zicbom", GUEST_ISA_ZICBOM },
	{ "zicboz", GUEST_ISA_ZICBOZ },
};

static bool allowed(const char *name, size_t len, unsigned enabled)
{
	for (size_t i = 0; i < sizeof(multi) / sizeof(*multi); i++)
		if (strlen(multi[i]) == len && !strncmp(multi[i], name, len))
			return true;
	for (size_t i = 0; i < sizeof(conditional) / sizeof(*conditional); i++)
		if ((enabled & conditional[i].flag) && strlen(conditional[i].name) == len &&
		    !strncmp(conditional[i].name, name, len))
			return true;
	return false;
}

static bool append(char *out, size_t size, size_t *at, const char *s, size_t len)
{
	if (len >= size - *at)
		return false;
	memcpy(out + *at, s, len);
	*at += len;
	out[*at] = '\0';
	return true;
}

bool guest_isa(const char *host, unsigned enabled, char *out, size_t size)
{
	size_t at = 0;
	if (size == 0)
		return false;
	out[0] = '\0';
	if (strncmp(host, "rv64", 4) || !append(out, size, &at, "rv64", 4))
		return false;
	/* The letters run to the first '_' or multi-letter name (binding for riscv,isa). Only
	 * letters are kept, so version numbers ("i2p1") fall away with their 'p'. */
	const char *p = host + 4;
	for (; *p && *p != '_' && *p != 's' && *p != 'x' && *p != 'z'; p++)
		if (strchr(letters, *p) && !append(out, size, &at, p, 1))
			goto too_small;
	while (*p) {
		if (*p == '_')
			p++;
		size_t len = strcspn(p, "_");
		if (len && allowed(p, len, enabled) &&
		    !(append(out, size, &at, "_", 1) && append(out, size, &at, p, len)))
			goto too_small;
		p += len;
	}
	return true;
too_small:
	out[0] = '\0';
	return false;
}
