/* Guest-page faults (priv spec 8.5.1): emulated devices, or access faults for the guest. */
#ifndef VIREO_HV_MMIO_H
#define VIREO_HV_MMIO_H

#include "vm.h"

enum exit_action mmio_guest_page_fault(struct vcpu *v, struct vireo_vm_exit *exit);
/* The monitor answered an MMIO load: put the value in the register and step past it. */
void mmio_complete_read(struct vcpu *v, uint64_t value);

#endif
