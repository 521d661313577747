/*
 * The hypervisor (riscv/hv.h): one guest per process, its hart a struct
 * vcpu run by SYS_vmrun in a loop that handles what it can and returns to
 * the process for the rest:
 *
 *   host interrupt (a tick)      -> handle it as in U-mode; yield on a tick
 *   ecall from VS-mode (10)      -> the SBI call, emulated here
 *   guest-page fault (20/21/23)  -> RAM: map it in the G-stage (mm/gstage.c);
 *                                   the test device: emulate the store;
 *                                   anything else: exit K_VM_EXIT_BAD_GPA
 *   virtual instruction (22) ... -> exit K_VM_EXIT_BAD_INSN
 *
 * The guest's own traps (its page faults, illegal instructions, ecalls
 * from its U-mode) go straight to it through hedeleg, and its timer
 * interrupt through Sstc's vstimecmp with no exit at all. Without Sstc
 * the host injects it (hvip.VSTIP) at the first entry after its time, so
 * at the host's next tick at the latest.
 *
 * VMIDs tag the guest's TLB entries as ASIDs tag a process's (asid.c),
 * and are handed out the same way, in generations: a guest keeps its VMID
 * while the generation lasts; when the numbers run out a new generation
 * begins and each guest takes a new one at its next entry. A hart fences
 * a VMID (both stages) the first time it runs it in a generation, so no
 * entry of an earlier holder of the number survives; and a guest that
 * moves to another hart fences its VS-stage there, since the guest's own
 * sfence.vma (an hfence.vvma) reached only the hart it ran on.
 */
#include "riscv/hv.h"
#include "dev/console.h"
#include "lib/kerrno.h"
#include "lib/klib.h"
#include "lib/spinlock.h"
#include "mm/frame.h"
#include "mm/gstage.h"
#include "mm/phys.h"
#include "mm/vm.h"
#include "proc/file.h"
#include "proc/proc.h"
#include "proc/uapi.h"
#include "riscv/cpu.h"
#include "riscv/csr.h"
#include "riscv/timer.h"
#include "riscv/tlb.h"
#include "riscv/trap.h"
#include "sbi/sbi.h"

#define HGATP_MODE_SV32X4 (1u << 31)
#define HGATP_VMID_SHIFT 22
#define HGATP_VMID_MASK 0x7Fu
#define HIDELEG_VS 0x444u     /* VSSIP, VSTIP, VSEIP: the guest's own interrupts */
#define HVIP_VSSIP (1u << 2)
#define HVIP_VSTIP (1u << 6)
#define HENVCFGH_STCE (1u << 31) /* the guest's stimecmp is vstimecmp */
/* The guest's own exceptions: misaligned and access faults, illegal
 * instructions, breakpoints, ecalls from VU-mode, page faults. */
#define HEDELEG_GUEST 0xB1FFu
#define EXC_ECALL_VS 10
#define GUEST_DEFAULT_SCOUNTEREN (SCOUNTEREN_CY | SCOUNTEREN_TM | SCOUNTEREN_IR)

/* The sifive_test device's stores (dev/power.c writes them). */
#define TEST_FAIL 0x3333u
#define TEST_PASS 0x5555u
#define TEST_RESET 0x7777u

/* SBI as the guest sees it: this implementation's id and version. */
#define HV_SBI_SPEC_VERSION 0x02000000u /* 2.0 */
#define HV_SBI_IMPL_ID 0x53763332u      /* "Sv32": no registered id */
#define HV_SBI_IMPL_VERSION 1u
#define SBI_LEGACY_SET_TIMER 0x00
#define SBI_LEGACY_PUTCHAR 0x01
#define SBI_LEGACY_GETCHAR 0x02
#define SBI_LEGACY_CLEAR_IPI 0x03
#define SBI_LEGACY_SEND_IPI 0x04
#define SBI_LEGACY_SHUTDOWN 0x08
#define SBI_EXT_PMU 0x504D55

struct guest {
	struct vcpu cpu;
	struct gstage gs;
	struct addrspace *as;
	/* The VS-mode CSRs while the guest is not on a hart. */
	uint32_t vsstatus, vsie, vstvec, vsscratch, vsepc, vscause, vstval, vsatp, hvip;
	uint32_t scounteren;
	uint64_t vstimecmp;
	bool in_vs;          /* it trapped from VS-mode (else VU) */
	bool raw_console;    /* it has taken the console's input (console_raw) */
	int last_cpu;        /* the cpu index it last ran on; -1: none yet */
	uint32_t test_gpa;
	uint32_t counts[K_VM_COUNTS];
};
_Static_assert(sizeof(struct guest) <= PAGE_SIZE, "a guest fits in one frame");

static bool has_h;
static uint32_t vmid_max; /* the highest VMID: 2^VMIDLEN - 1 */
static char guest_isa[sizeof(((struct k_vm_setup *)0)->isa)];
static uint32_t guest_timebase_hz;

/* hv_lock guards the VMID allocator and every guest's vmid, vmid_gen
 * and ran_on; taken with interrupts off, nothing under it. */
static struct spinlock hv_lock = SPINLOCK_INIT("hv");
static uint32_t vmid_gen = 1, next_vmid = 1;
static uint32_t seen_gen[MAX_HARTS][HGATP_VMID_MASK + 1]; /* VMID's generation a hart ran */

/* The guest's riscv,isa: the host's base letters without h, f and d
 * (the host keeps the FPU off, sstatus.FS, so a guest may not use it),
 * then the extensions a guest of this kernel can count on. */
static void make_guest_isa(const char *isa)
{
	size_t n = 0;
	const char *tail = timer_uses_sstc() ? "_zicsr_zifencei_sstc" : "_zicsr_zifencei";
	for (const char *c = isa; *c && *c != '_' && n + 1 < sizeof(guest_isa); c++)
		if (c - isa < 4 || (*c != 'h' && *c != 'f' && *c != 'd'))
			guest_isa[n++] = *c;
	for (const char *c = tail; *c && n + 1 < sizeof(guest_isa); c++)
		guest_isa[n++] = *c;
	guest_isa[n] = '\0';
}

void hv_init(bool present, const char *isa, uint32_t timebase_hz)
{
	has_h = present;
	if (!present)
		return;
	make_guest_isa(isa[0] ? isa : "rv32ima");
	guest_timebase_hz = timebase_hz;
	/* VMIDLEN: the VMID bits that stick (PLATFORM.md 10.2; Sv32x4 mode,
	 * since QEMU keeps junk in Bare). Nothing runs in V=1 meanwhile. */
	csr_write(hgatp, HGATP_MODE_SV32X4 | (HGATP_VMID_MASK << HGATP_VMID_SHIFT));
	vmid_max = (csr_read(hgatp) >> HGATP_VMID_SHIFT) & HGATP_VMID_MASK;
	csr_write(hgatp, 0);
	hv_init_hart();
}

void hv_init_hart(void)
{
	if (!hv_present())
		return;
	/* The same for every guest, and no guest can change them: once. */
	csr_write(hedeleg, HEDELEG_GUEST);
	csr_write(hideleg, HIDELEG_VS);
	csr_write(hcounteren, GUEST_DEFAULT_SCOUNTEREN);
	csr_write(henvcfg, 0);
	csr_write(0x61A, timer_uses_sstc() ? HENVCFGH_STCE : 0); /* henvcfgh */
	csr_write(htimedelta, 0);
	csr_write(0x615, 0); /* htimedeltah */
}

bool hv_present(void)
{
	return has_h && vmid_max > 0;
}

static struct guest *guest_of(const struct addrspace *as)
{
	if (as == NULL || as->gstage == NULL)
		return NULL;
	return (struct guest *)((char *)as->gstage - offsetof(struct guest, gs));
}

int hv_create(struct k_vm_setup *s)
{
	struct proc *p = myproc();
	if (!hv_present())
		return -ENODEV;
	if (p->as->gstage)
		return -EEXIST;
	const struct vm_region *r = vm_find(p->as, s->ram_hva);
	if (r == NULL || r->kind != VMR_ANON || (r->flags & VMR_F_SHARED) ||
	    (uint64_t)s->ram_hva + s->ram_size > r->end || !(r->prot & VM_W) ||
	    (s->test_gpa && !ALIGNED(s->test_gpa, PAGE_SIZE)))
		return -EINVAL;
	paddr_t pa = frame_alloc(FRAME_ZERO);
	if (pa == 0)
		return -ENOMEM;
	struct guest *g = pa2kva(pa);
	int err = gstage_init(&g->gs, s->ram_gpa, s->ram_hva, s->ram_size);
	if (err) {
		frame_free(pa);
		return err;
	}
	if (s->test_gpa && gstage_hva(&g->gs, s->test_gpa)) {
		gstage_free(&g->gs);
		frame_free(pa);
		return -EINVAL; /* the device would hide RAM */
	}
	g->as = p->as;
	g->cpu.sepc = s->entry;
	g->cpu.gregs[REG_A0] = s->a0;
	g->cpu.gregs[REG_A0 + 1] = s->a1;
	g->in_vs = true;
	g->last_cpu = -1;
	g->test_gpa = s->test_gpa;
	g->scounteren = GUEST_DEFAULT_SCOUNTEREN;
	g->vstimecmp = UINT64_MAX;
	s->timebase_hz = guest_timebase_hz;
	memcpy(s->isa, guest_isa, sizeof(s->isa));
	spin_lock(&vm_lock);
	p->as->gstage = &g->gs;
	spin_unlock(&vm_lock);
	return 0;
}

void hv_destroy(struct addrspace *as)
{
	struct guest *g = guest_of(as);
	if (g == NULL)
		return;
	spin_lock(&vm_lock);
	as->gstage = NULL;
	spin_unlock(&vm_lock);
	/* Its harts' entries are tagged with a VMID that no one runs again
	 * before a hart fences it (seen_gen): the tables can go at once. */
	gstage_free(&g->gs);
	if (g->raw_console)
		console_raw(false);
	frame_free(kva2pa(g));
}

/* --- entering ----------------------------------------------------------- */

/* Give g a VMID of this generation if it has none, note this hart in its
 * ran_on, and say whether this hart must fence the VMID first. */
static bool take_vmid(struct guest *g, int cpu)
{
	spin_lock(&hv_lock);
	if (g->gs.vmid_gen != vmid_gen) {
		if (next_vmid > vmid_max) {
			vmid_gen = vmid_gen + 1 == 0 ? 1 : vmid_gen + 1;
			next_vmid = 1;
		}
		g->gs.vmid = next_vmid++;
		g->gs.vmid_gen = vmid_gen;
		/* Entries under its old VMID are unreachable (above). */
		__atomic_store_n(&g->gs.ran_on, 0, __ATOMIC_SEQ_CST);
	}
	bool fresh = seen_gen[cpu][g->gs.vmid] != g->gs.vmid_gen;
	seen_gen[cpu][g->gs.vmid] = g->gs.vmid_gen;
	/* Before the first walk on this hart: see gstage.c, fence(). */
	__atomic_or_fetch(&g->gs.ran_on, 1u << cpu, __ATOMIC_SEQ_CST);
	spin_unlock(&hv_lock);
	return fresh;
}

static void write_vstimecmp(uint64_t t)
{
	csr_write(vstimecmp, 0xFFFFFFFFu); /* no early interrupt between the halves */
	csr_write(0x25D, (uint32_t)(t >> 32)); /* vstimecmph */
	csr_write(vstimecmp, (uint32_t)t);
}

static void load_guest(struct guest *g)
{
	int cpu = mycpu()->index;
	bool fresh = take_vmid(g, cpu);
	csr_write(hgatp, HGATP_MODE_SV32X4 | g->gs.vmid << HGATP_VMID_SHIFT |
				 (uint32_t)(kva2pa(g->gs.root) >> PAGE_SHIFT));
	if (fresh) {
		hw_hfence_gvma_vmid(g->gs.vmid);
		hw_hfence_vvma_all();
	} else if (g->last_cpu != cpu) {
		hw_hfence_vvma_all();
	}
	g->last_cpu = cpu;
	csr_write(vsstatus, g->vsstatus);
	csr_write(vsie, g->vsie);
	csr_write(vstvec, g->vstvec);
	csr_write(vsscratch, g->vsscratch);
	csr_write(vsepc, g->vsepc);
	csr_write(vscause, g->vscause);
	csr_write(vstval, g->vstval);
	csr_write(vsatp, g->vsatp);
	csr_write(hvip, g->hvip);
	csr_write(scounteren, g->scounteren);
	if (timer_uses_sstc())
		write_vstimecmp(g->vstimecmp);
	else if (read_time() >= g->vstimecmp) /* no Sstc: inject, at the host tick after it */
		csr_set(hvip, HVIP_VSTIP);
	g->cpu.sstatus = (csr_read(sstatus) & ~(SSTATUS_SPP | SSTATUS_SPIE | SSTATUS_SIE)) |
			 (g->in_vs ? SSTATUS_SPP : 0);
	g->cpu.hstatus = HSTATUS_SPV | (g->in_vs ? HSTATUS_SPVP : 0);
}

static void save_guest(struct guest *g)
{
	g->vsstatus = csr_read(vsstatus);
	g->vsie = csr_read(vsie);
	g->vstvec = csr_read(vstvec);
	g->vsscratch = csr_read(vsscratch);
	g->vsepc = csr_read(vsepc);
	g->vscause = csr_read(vscause);
	g->vstval = csr_read(vstval);
	g->vsatp = csr_read(vsatp);
	g->hvip = csr_read(hvip);
	g->scounteren = csr_read(scounteren);
	csr_write(scounteren, GUEST_DEFAULT_SCOUNTEREN); /* the host's own, the same bits */
	if (timer_uses_sstc())
		g->vstimecmp = (uint64_t)csr_read(0x25D) << 32 | csr_read(vstimecmp);
	g->in_vs = g->cpu.sstatus & SSTATUS_SPP;
}

/* --- exits ---------------------------------------------------------------- */

enum { STAY, LEAVE }; /* an exit handled here, or one for the process */

static int leave(struct guest *g, struct k_vm_exit *out, uint32_t reason, uint32_t status)
{
	out->reason = reason;
	out->status = status;
	out->pc = g->cpu.sepc;
	out->cause = g->cpu.scause;
	return LEAVE;
}

static uint64_t fault_gpa(const struct guest *g)
{
	return (uint64_t)g->cpu.htval << 2 | (g->cpu.stval & 3u);
}

static int bad_gpa(struct guest *g, struct k_vm_exit *out, uint64_t gpa)
{
	out->gpa_lo = (uint32_t)gpa;
	out->gpa_hi = (uint32_t)(gpa >> 32);
	return leave(g, out, K_VM_EXIT_BAD_GPA, 0);
}

/* An access to the sifive_test page: decode the load or store at the
 * guest's pc (read as the guest fetched it, hlvx), emulate it, step on. */
static int emulate_test(struct guest *g, struct k_vm_exit *out, bool store)
{
	uint32_t insn = 0, len, rs2 = 0, rd = 0;
	bool ok;
	if (hv_load_insn(g->cpu.sepc, &insn) != 0)
		return STAY; /* its page went meanwhile: let the guest fetch it again */
	if ((insn & 3u) == 3u) { /* 32 bits: sw rs2, off(rs1) or lw rd, off(rs1) */
		len = 4;
		ok = store ? (insn & 0x707Fu) == 0x2023u : (insn & 0x707Fu) == 0x2003u;
		rs2 = (insn >> 20) & 31u;
		rd = (insn >> 7) & 31u;
	} else { /* c.sw rs2', off(rs1') or c.lw rd', off(rs1') */
		len = 2;
		ok = store ? (insn & 0xE003u) == 0xC000u : (insn & 0xE003u) == 0x4000u;
		rs2 = rd = 8 + ((insn >> 2) & 7u);
	}
	if (!ok) {
		out->insn = insn;
		return leave(g, out, K_VM_EXIT_BAD_INSN, 0);
	}
	g->counts[K_VM_COUNT_MMIO]++;
	g->cpu.sepc += len;
	if (!store) {
		g->cpu.gregs[rd] = 0; /* rd 0: gregs[0], which stays 0 (struct vcpu) */
		return STAY;
	}
	uint32_t v = g->cpu.gregs[rs2];
	switch (v & 0xFFFFu) {
	case TEST_PASS: return leave(g, out, K_VM_EXIT_POWEROFF, 0);
	case TEST_FAIL: return leave(g, out, K_VM_EXIT_POWEROFF, v >> 16);
	case TEST_RESET: return leave(g, out, K_VM_EXIT_REBOOT, 0);
	default: return STAY; /* the device ignores other values */
	}
}

static int guest_page_fault(struct guest *g, struct k_vm_exit *out)
{
	uint32_t code = g->cpu.scause;
	uint64_t gpa = fault_gpa(g);
	uint32_t prot = code == EXC_GUEST_STORE_PAGE_FAULT ? VM_W
			: code == EXC_GUEST_INST_PAGE_FAULT ? VM_X : VM_R;
	if (gstage_hva(&g->gs, gpa)) {
		int err = gstage_fault(g->as, &g->gs, gpa, prot);
		if (err == 0) {
			g->counts[K_VM_COUNT_GFAULT]++;
			return STAY;
		}
		if (err == -EFAULT) /* the process unmapped or protected its RAM */
			return bad_gpa(g, out, gpa);
		return leave(g, out, K_VM_EXIT_NO_MEMORY, (uint32_t)-err);
	}
	/* An implicit access (the guest's page-table walk: htinst 0x2000 or
	 * 0x3000) cannot be to the device: that is a bad address too. */
	if (g->test_gpa && PAGE_ROUND_DOWN(gpa) == g->test_gpa && code != EXC_GUEST_INST_PAGE_FAULT &&
	    (g->cpu.htinst & 0x3000u) == 0)
		return emulate_test(g, out, code == EXC_GUEST_STORE_PAGE_FAULT);
	return bad_gpa(g, out, gpa);
}

/* --- SBI for the guest (SBI spec 2.0) ---------------------------------- */

static void sbi_ret(struct guest *g, long error, uint32_t value)
{
	g->cpu.gregs[REG_A0] = (uint32_t)error;
	g->cpu.gregs[REG_A0 + 1] = value;
}

/* The guest's buffer [gpa, gpa + n) in RAM as an address of the process,
 * or 0 if any of it is not RAM. */
static uint32_t guest_buffer(const struct guest *g, uint32_t lo, uint32_t hi, uint32_t n)
{
	if (hi != 0 || n == 0)
		return 0;
	uint32_t hva = gstage_hva(&g->gs, lo);
	if (hva == 0 || gstage_hva(&g->gs, (uint64_t)lo + n - 1) == 0)
		return 0;
	return hva;
}

/* DBCN write: the bytes go to the process's standard output. */
static void console_out(struct guest *g, uint32_t n, uint32_t lo, uint32_t hi)
{
	struct file *f = myproc()->ofile[1];
	uint32_t hva = guest_buffer(g, lo, hi, n);
	if (hva == 0) {
		sbi_ret(g, SBI_ERR_INVALID_PARAM, 0);
		return;
	}
	int done = f ? file_write(f, hva, n) : (int)n;
	if (done < 0)
		sbi_ret(g, SBI_ERR_FAILED, 0);
	else
		sbi_ret(g, SBI_SUCCESS, (uint32_t)done);
}

/* One byte out: a console can take it from here; anything else needs a
 * buffer in guest memory (DBCN write). */
static long console_out_byte(char c)
{
	struct file *f = myproc()->ofile[1];
	if (f == NULL)
		return SBI_SUCCESS;
	if (!file_is_console(f))
		return SBI_ERR_FAILED;
	console_write(&c, 1);
	return SBI_SUCCESS;
}

/* Input, without waiting: only a console standard input has any. The
 * first read takes the console raw (console_raw): the guest echoes and
 * edits lines itself. */
static uint32_t console_in(struct guest *g, char *buf, uint32_t n)
{
	struct file *f = myproc()->ofile[0];
	if (f == NULL || !file_is_console(f))
		return 0;
	if (!g->raw_console) {
		console_raw(true);
		g->raw_console = true;
	}
	return console_read_nowait(buf, n);
}

static void console_in_dbcn(struct guest *g, uint32_t n, uint32_t lo, uint32_t hi)
{
	char buf[64];
	uint32_t hva = guest_buffer(g, lo, hi, n);
	if (hva == 0) {
		sbi_ret(g, SBI_ERR_INVALID_PARAM, 0);
		return;
	}
	uint32_t got = console_in(g, buf, MIN(n, (uint32_t)sizeof(buf)));
	if (got && copyout(hva, buf, got) != 0)
		sbi_ret(g, SBI_ERR_FAILED, 0);
	else
		sbi_ret(g, SBI_SUCCESS, got);
}

static bool ext_present(uint32_t ext)
{
	switch (ext) {
	case SBI_EXT_BASE: case SBI_EXT_TIME: case SBI_EXT_IPI: case SBI_EXT_RFENCE:
	case SBI_EXT_HSM: case SBI_EXT_SRST: case SBI_EXT_DBCN:
	case SBI_LEGACY_SET_TIMER: case SBI_LEGACY_PUTCHAR: case SBI_LEGACY_GETCHAR:
	case SBI_LEGACY_CLEAR_IPI: case SBI_LEGACY_SEND_IPI: case SBI_LEGACY_SHUTDOWN:
		return true;
	default:
		return false;
	}
}

static void set_timer(struct guest *g, uint64_t t)
{
	g->vstimecmp = t;
	if (timer_uses_sstc())
		write_vstimecmp(t);
	else
		g->hvip &= ~HVIP_VSTIP; /* as a write of stimecmp clears STIP */
	sbi_ret(g, SBI_SUCCESS, 0);
}

/* An IPI to harts of hart_mask from base: the guest's one hart is 0. */
static void send_ipi(struct guest *g, uint32_t mask, uint32_t base)
{
	if (base == 0xFFFFFFFFu || (base == 0 && (mask & 1u)))
		g->hvip |= HVIP_VSSIP;
	sbi_ret(g, SBI_SUCCESS, 0);
}

static int sbi_base(struct guest *g, uint32_t fid, uint32_t a0)
{
	static const uint32_t values[] = { HV_SBI_SPEC_VERSION, HV_SBI_IMPL_ID, HV_SBI_IMPL_VERSION };
	if (fid < ARRAY_SIZE(values))
		sbi_ret(g, SBI_SUCCESS, values[fid]);
	else if (fid == 3)
		sbi_ret(g, SBI_SUCCESS, ext_present(a0));
	else if (fid <= 6) /* mvendorid, marchid, mimpid */
		sbi_ret(g, SBI_SUCCESS, 0);
	else
		sbi_ret(g, SBI_ERR_NOT_SUPPORTED, 0);
	return STAY;
}

static int sbi_legacy(struct guest *g, uint32_t ext, uint32_t a0, uint32_t a1,
		      struct k_vm_exit *out)
{
	char c;
	long r = SBI_SUCCESS;
	switch (ext) {
	case SBI_LEGACY_SET_TIMER: set_timer(g, (uint64_t)a1 << 32 | a0); break;
	case SBI_LEGACY_PUTCHAR: r = console_out_byte((char)a0); break;
	case SBI_LEGACY_GETCHAR: r = console_in(g, &c, 1) ? (unsigned char)c : -1; break;
	case SBI_LEGACY_CLEAR_IPI: g->hvip &= ~HVIP_VSSIP; break;
	case SBI_LEGACY_SEND_IPI: g->hvip |= HVIP_VSSIP; break;
	case SBI_LEGACY_SHUTDOWN: return leave(g, out, K_VM_EXIT_POWEROFF, 0);
	}
	g->cpu.gregs[REG_A0] = (uint32_t)r; /* legacy calls return only a0 */
	return STAY;
}

static void sbi_dbcn(struct guest *g, uint32_t fid, uint32_t a0, uint32_t a1, uint32_t a2)
{
	if (fid == 0)
		console_out(g, a0, a1, a2);
	else if (fid == 1)
		console_in_dbcn(g, a0, a1, a2);
	else if (fid == 2)
		sbi_ret(g, console_out_byte((char)a0), 0);
	else
		sbi_ret(g, SBI_ERR_NOT_SUPPORTED, 0);
}

static int sbi_srst(struct guest *g, uint32_t fid, uint32_t type, uint32_t reason,
		    struct k_vm_exit *out)
{
	if (fid != 0 || type > SBI_RESET_WARM_REBOOT) {
		sbi_ret(g, fid != 0 ? SBI_ERR_NOT_SUPPORTED : SBI_ERR_INVALID_PARAM, 0);
		return STAY;
	}
	if (type == SBI_RESET_SHUTDOWN)
		return leave(g, out, K_VM_EXIT_POWEROFF, reason == SBI_RESET_REASON_NONE ? 0 : 1);
	return leave(g, out, K_VM_EXIT_REBOOT, 0);
}

/* One virtual hart, and it is this one: fence here. hgatp still holds the
 * guest's VMID, so hfence.vvma is its sfence.vma. */
static void sbi_rfence(struct guest *g, uint32_t fid)
{
	if (fid == 0)
		__asm__ volatile("fence.i" ::: "memory");
	else if (fid == 1 || fid == 2)
		hw_hfence_vvma_all();
	sbi_ret(g, fid <= 2 ? SBI_SUCCESS : SBI_ERR_NOT_SUPPORTED, 0);
}

static void sbi_hsm(struct guest *g, uint32_t fid, uint32_t hartid)
{
	if (fid == 0) /* hart_start: hart 0 runs already, and there is no other */
		sbi_ret(g, hartid == 0 ? SBI_ERR_ALREADY_AVAILABLE : SBI_ERR_INVALID_PARAM, 0);
	else if (fid == 2)
		sbi_ret(g, hartid == 0 ? SBI_SUCCESS : SBI_ERR_INVALID_PARAM, SBI_HSM_STARTED);
	else
		sbi_ret(g, SBI_ERR_NOT_SUPPORTED, 0);
}

static int sbi_emulate(struct guest *g, struct k_vm_exit *out)
{
	uint32_t *x = g->cpu.gregs;
	uint32_t ext = x[REG_A0 + 7], fid = x[REG_A0 + 6];
	uint32_t a0 = x[REG_A0], a1 = x[REG_A0 + 1], a2 = x[REG_A0 + 2];
	g->counts[K_VM_COUNT_SBI]++;
	g->cpu.sepc += 4;
	if (ext <= SBI_LEGACY_SHUTDOWN && ext_present(ext))
		return sbi_legacy(g, ext, a0, a1, out);
	switch (ext) {
	case SBI_EXT_BASE:
		return sbi_base(g, fid, a0);
	case SBI_EXT_TIME:
		if (fid == 0)
			set_timer(g, (uint64_t)a1 << 32 | a0);
		else
			sbi_ret(g, SBI_ERR_NOT_SUPPORTED, 0);
		break;
	case SBI_EXT_DBCN: sbi_dbcn(g, fid, a0, a1, a2); break;
	case SBI_EXT_SRST: return sbi_srst(g, fid, a0, a1, out);
	case SBI_EXT_IPI:
		if (fid == 0)
			send_ipi(g, a0, a1);
		else
			sbi_ret(g, SBI_ERR_NOT_SUPPORTED, 0);
		break;
	case SBI_EXT_RFENCE: sbi_rfence(g, fid); break;
	case SBI_EXT_HSM: sbi_hsm(g, fid, a0); break;
	default: sbi_ret(g, SBI_ERR_NOT_SUPPORTED, 0);
	}
	return STAY;
}

static int handle_exit(struct guest *g, struct k_vm_exit *out)
{
	uint32_t cause = g->cpu.scause;
	if (cause & SCAUSE_INTERRUPT) {
		g->counts[K_VM_COUNT_IRQ]++;
		if (trap_host_interrupt(cause))
			yield(); /* a tick ends the time slice, as in U-mode */
		return STAY;
	}
	switch (cause) {
	case EXC_ECALL_VS:
		return sbi_emulate(g, out);
	case EXC_GUEST_INST_PAGE_FAULT:
	case EXC_GUEST_LOAD_PAGE_FAULT:
	case EXC_GUEST_STORE_PAGE_FAULT:
		return guest_page_fault(g, out);
	default:
		g->counts[K_VM_COUNT_OTHER]++;
		out->insn = g->cpu.stval; /* a virtual or illegal instruction gives it here */
		return leave(g, out, K_VM_EXIT_BAD_INSN, 0);
	}
}

int hv_run(struct k_vm_exit *out)
{
	struct proc *p = myproc();
	struct guest *g = guest_of(p->as);
	if (g == NULL)
		return -ENODEV;
	memset(out, 0, sizeof(*out));
	for (;;) {
		if (sleep_killed())
			return -EINTR;
		load_guest(g);
		hv_enter(&g->cpu);
		save_guest(g);
		if (handle_exit(g, out) == LEAVE)
			break;
	}
	memcpy(out->counts, g->counts, sizeof(out->counts));
	out->vmid = g->gs.vmid;
	return 0;
}

/* --- the two-dimensional walk, for vm --walk ------------------------------ */

/* The G-stage translation of gpa (mapped first if RAM not yet in the
 * G-stage, as the guest's access would); its entries go to *root_pte and
 * *leaf_pte, and the references the hardware makes for it to *refs: the
 * root entry and the leaf. The host-physical address, or 0. */
static uint32_t g_translate(struct guest *g, uint64_t gpa, uint32_t *root_pte,
			    uint32_t *leaf_pte, uint32_t *refs)
{
	if (gstage_hva(&g->gs, gpa) && !pte_valid(gstage_leaf(&g->gs, gpa)) &&
	    gstage_fault(g->as, &g->gs, gpa, VM_R) != 0)
		return 0;
	*root_pte = gpa < (1ull << 34) ? g->gs.root[(uint32_t)(gpa >> SV32_VPN1_SHIFT)] : 0;
	*leaf_pte = gstage_leaf(&g->gs, gpa);
	*refs += pte_valid(*root_pte) ? 2 : 1;
	if (!pte_valid(*leaf_pte))
		return 0;
	return (uint32_t)pte_pa(*leaf_pte) | (uint32_t)(gpa & (PAGE_SIZE - 1));
}

/* The guest's own Sv32 walk of gva, each of its PTEs read where the
 * G-stage puts it; gva's guest-physical address, or an error in w. */
static uint64_t guest_walk(struct guest *g, uint32_t gva, struct k_vm_gwalk *w)
{
	uint64_t table = (uint64_t)(g->vsatp & SATP_PPN_MASK) << PAGE_SHIFT;
	for (int level = 1; level >= 0; level--) {
		uint32_t index = level == 1 ? sv32_vpn1(gva) : sv32_vpn0(gva);
		__typeof__(w->level[0]) *l = &w->level[w->levels++];
		uint64_t pte_gpa = table + (uint64_t)index * sizeof(pte_t);
		l->pte_gpa = (uint32_t)pte_gpa;
		l->pte_hpa = g_translate(g, pte_gpa, &l->g_root_pte, &l->g_leaf_pte, &w->mem_refs);
		if (l->pte_hpa == 0) {
			w->error = -2;
			return 0;
		}
		pte_t pte = *(const pte_t *)pa2kva(l->pte_hpa);
		l->pte = pte;
		w->mem_refs++;
		if (!pte_valid(pte)) {
			w->error = -1;
			return 0;
		}
		uint64_t base = (uint64_t)(pte >> PTE_PPN_SHIFT) << PAGE_SHIFT;
		if (pte_leaf(pte) && level == 1)
			return (base & ~(uint64_t)(SV32_MEGAPAGE_SIZE - 1)) |
			       (gva & (SV32_MEGAPAGE_SIZE - 1));
		if (pte_leaf(pte))
			return base | sv32_offset(gva);
		table = base;
	}
	w->error = -1; /* a level-0 entry that points to another table */
	return 0;
}

int hv_gwalk(uint32_t gva, struct k_vm_gwalk *w)
{
	struct guest *g = guest_of(myproc()->as);
	if (g == NULL)
		return -ENODEV;
	memset(w, 0, sizeof(*w));
	w->vsatp = g->vsatp;
	w->hgatp = HGATP_MODE_SV32X4 | g->gs.vmid << HGATP_VMID_SHIFT |
		   (uint32_t)(kva2pa(g->gs.root) >> PAGE_SHIFT);
	uint64_t gpa = gva;
	if (g->vsatp & SATP_MODE_SV32) {
		gpa = guest_walk(g, gva, w);
		if (w->error)
			return 0;
	}
	w->gpa_lo = (uint32_t)gpa;
	w->gpa_hi = (uint32_t)(gpa >> 32);
	w->hpa = g_translate(g, gpa, &w->g_root_pte, &w->g_leaf_pte, &w->mem_refs);
	if (w->hpa == 0)
		w->error = -2;
	return 0;
}
