/* VM exit dispatch. */
#ifndef VIREO_HV_EXIT_H
#define VIREO_HV_EXIT_H

#include "vm.h"

enum exit_action vcpu_handle_exit(struct vcpu *v, struct vireo_vm_exit *exit);

#endif
