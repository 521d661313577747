/*
 * The hypervisor: a process hosts one guest that runs in VS-mode with
 * two-stage translation (the H extension; PLATFORM.md section 10). The
 * guest's RAM is an anonymous region of that process (mm/gstage.h), its
 * one virtual hart is a struct vcpu, and SYS_vmrun runs it until an exit
 * that the process must see (power-off, a bad access). The kernel handles
 * every other exit itself: guest-page faults, SBI calls, host interrupts.
 */
#ifndef RISCV_HV_H
#define RISCV_HV_H

/* hstatus: the trap came from, or sret goes to, V=1; and the guest's
 * mode there (1: VS), for hlv/hlvx. */
#define HSTATUS_SPV (1 << 7)
#define HSTATUS_SPVP (1 << 8)

/* struct vcpu, as hventry.S reaches it. */
#define VC_GREG(i) ((i) * 4)        /* the guest's x0..x31 (slot 0 unused) */
#define VC_HREG(i) (128 + (i) * 4)  /* the host's ra, sp, gp, tp, s0..s11 */
#define VC_SEPC 192
#define VC_SSTATUS 196
#define VC_HSTATUS 200
#define VC_SCAUSE 204
#define VC_STVAL 208
#define VC_HTVAL 212
#define VC_HTINST 216
#define VC_SIZE 220

#ifndef __ASSEMBLER__
#include "lib/types.h"

struct vcpu {
	uint32_t gregs[32]; /* gregs[0], x0, is never loaded or saved: it stays 0 */
	uint32_t hregs[16];
	uint32_t sepc;    /* the guest's pc */
	uint32_t sstatus; /* to enter: the host's, SPP the guest's mode; at exit: as trapped */
	uint32_t hstatus;
	uint32_t scause, stval, htval, htinst; /* of the last exit */
};
_Static_assert(sizeof(struct vcpu) == VC_SIZE, "hventry.S depends on this layout");

/* hventry.S: run the guest until it traps to HS-mode; returns then, with
 * the exit's CSRs in v. Interrupts off; hgatp and the VS CSRs loaded. */
void hv_enter(struct vcpu *v);
/* hventry.S: the guest's instruction at pc (hlvx.hu): 0, or -EFAULT. */
int hv_load_insn(uint32_t pc, uint32_t *insn);

struct addrspace;
struct k_vm_setup;
struct k_vm_exit;
struct k_vm_gwalk;

/* Boot: find out whether the harts have H and how many VMID bits, and
 * set up this hart; hv_init_hart sets up each other hart (the hypervisor
 * CSRs that are the same for every guest). */
void hv_init(bool has_h, const char *isa, uint32_t timebase_hz);
void hv_init_hart(void);
bool hv_present(void);
/* SYS_vmcreate, SYS_vmrun, SYS_vmgwalk for the current process (uapi.h). */
int hv_create(struct k_vm_setup *s);
int hv_run(struct k_vm_exit *out);
int hv_gwalk(uint32_t gva, struct k_vm_gwalk *out);
/* The space as is going: free the guest it hosts (vm_destroy). */
void hv_destroy(struct addrspace *as);
#endif

#endif
