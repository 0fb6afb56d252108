/* The base extension (SBI spec 4): versions, identity, probing. */
#include "sbi.h"

#define SBI_SPEC_VERSION_2_0 (2ul << 24)
/* Not an assigned implementation id (SBI spec 4.9 lists those): "VR" for Vireo. */
#define VIREO_SBI_IMPL_ID 0x5652
#define VIREO_SBI_IMPL_VERSION 0x000100 /* 0.1.0 */

static struct sbi_result handle(struct vcpu *v, unsigned long eid, unsigned long fid,
				 struct vireo_vm_exit *exit)
{
	(void)eid, (void)exit;
	switch (fid) {
	case 0: return (struct sbi_result){ .value = SBI_SPEC_VERSION_2_0 };
	case 1: return (struct sbi_result){ .value = VIREO_SBI_IMPL_ID };
	case 2: return (struct sbi_result){ .value = VIREO_SBI_IMPL_VERSION };
	case 3: return (struct sbi_result){ .value = sbi_probe(sbi_arg(v, 0)) };
	case 4: /* mvendorid, marchid, mimpid: a virtual hart has none */
	case 5:
	case 6: return (struct sbi_result){ .value = 0 };
	}
	return (struct sbi_result){ .error = SBI_ERR_NOT_SUPPORTED };
}

const struct sbi_extension sbi_base = { 0x10, 0x10, VM_CAUSE_SBI_BASE, false, handle };
