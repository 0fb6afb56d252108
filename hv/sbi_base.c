/* The base extension (SBI spec 4): versions, identity, probing. */
#include "guest_sbi.h"

#define SBI_SPEC_VERSION_2_0 (2ul << 24)
/* Not an assigned implementation id (SBI spec 4.9 lists those): "VR" for Vireo. */
#define VIREO_SBI_IMPL_ID 0x5652
#define VIREO_SBI_IMPL_VERSION 0x000100 /* 0.1.0 */

static struct sbi_result handle(struct vcpu *v, unsigned long eid, unsigned long fid,
				 struct vireo_vm_exit *exit)
{
	(void)eid, (void)exit;
	switch (fid) {
	case SBI_BASE_GET_SPEC_VERSION:
		return (struct sbi_result){ .value = SBI_SPEC_VERSION_2_0 };
	case SBI_BASE_GET_IMPL_ID:
		return (struct sbi_result){ .value = VIREO_SBI_IMPL_ID };
	case SBI_BASE_GET_IMPL_VERSION:
		return (struct sbi_result){ .value = VIREO_SBI_IMPL_VERSION };
	case SBI_BASE_PROBE_EXTENSION:
		return (struct sbi_result){ .value = sbi_probe(sbi_arg(v, 0)) };
	case SBI_BASE_GET_MVENDORID: /* mvendorid, marchid, mimpid: a virtual hart has none */
	case SBI_BASE_GET_MARCHID:
	case SBI_BASE_GET_MIMPID:
		return (struct sbi_result){ .value = 0 };
	}
	return (struct sbi_result){ .error = SBI_ERR_NOT_SUPPORTED };
}

const struct sbi_extension sbi_base = { SBI_EXT_BASE, SBI_EXT_BASE, VM_CAUSE_SBI_BASE, false,
					handle };
