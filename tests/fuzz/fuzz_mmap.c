/*
 * libFuzzer harness for the checks of user-supplied ranges, protections
 * and flags in the memory manager (kernel/mm/mmap.c, vm_range_ok in
 * kernel/mm/vm.c): the input is a list of mmap, munmap, mprotect, brk,
 * page-fault and range-check calls with hostile arguments on one address
 * space laid out as exec lays it out, run by the real memory manager over
 * simulated RAM and a RAM swap disk (tests/unit/host_vm.c). After every
 * call the regions, the page tables and the commit count must still be
 * consistent; at the end every frame, swap slot and reservation is back.
 */
#include <stdlib.h>
#include <string.h>

#include "lib/kerrno.h"
#include "lib/klib.h"
#include "mm/frame.h"
#include "mm/phys.h"
#include "mm/reclaim.h"
#include "mm/swap.h"
#include "mm/vm.h"
#include "tests/fuzz/fuzz.h"
#include "tests/unit/host_vm.h"

#define RAM_PAGES   256u /* small, so that faults evict and swap */
#define SWAP_PAGES  32u
#define MMAP_TOP    (USER_TOP - STACK_MAX - STACK_GUARD) /* as mmap.c places mappings */
#define VM_PROT_ALL (VM_R | VM_W | VM_X)
#define FILE_SIZE   (4 * PAGE_SIZE)
#define TEXT	    0x10000u /* the program's text, then data, then the heap */
#define TEXT_PAGES  2u
#define DATA_PAGES  2u
#define RECORD_SIZE 12u /* op, how, a (4 bytes), b (4 bytes), flags, file */
#define MAX_CALLS   256u

enum op { OP_MMAP, OP_MUNMAP, OP_MPROTECT, OP_BRK, OP_FAULT, OP_RANGE_OK, OP_COUNT };

/* One call, decoded from RECORD_SIZE bytes of input (missing bytes are 0). */
struct call {
	uint8_t op, how, flags, file;
	uint32_t a, b;
};

static uint8_t file[FILE_SIZE]; /* what file mappings map */

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static struct call decode(const uint8_t *data, size_t size)
{
	uint8_t r[RECORD_SIZE] = {0};
	memcpy(r, data, MIN(size, RECORD_SIZE));
	return (struct call){.op = r[0],
			     .how = r[1],
			     .a = le32(r + 2),
			     .b = le32(r + 6),
			     .flags = r[10],
			     .file = r[11]};
}

/* An address near where bugs live: a raw value, a region's start or end,
 * the break, or the top of the mmap area or of user space, each moved by
 * a few pages and, when bit 8 of a is set, by a byte offset too. */
static uint32_t pick_addr(const struct addrspace *as, unsigned anchor, uint32_t a)
{
	uint32_t base;
	switch (anchor & 3) {
	case 0:
		return a;
	case 1: {
		const struct vm_region *r = &as->regions[(a >> 16) % MAX(as->nregions, 1)];
		base = as->nregions == 0 ? USER_BASE : (a & (1u << 15)) ? r->end : r->start;
		break;
	}
	case 2:
		base = as->brk;
		break;
	default:
		base = (a & (1u << 15)) ? USER_TOP : MMAP_TOP;
		break;
	}
	uint32_t bytes = (a & (1u << 8)) ? (a >> 9) & (PAGE_SIZE - 1) : 0;
	return base + (uint32_t)(int8_t)a * PAGE_SIZE + bytes;
}

/* A length: raw, a few pages, a few pages and some bytes, or near 2^32. */
static uint32_t pick_len(unsigned kind, uint32_t b)
{
	switch (kind & 3) {
	case 0:
		return b;
	case 1:
		return (b & 0xffu) * PAGE_SIZE;
	case 2:
		return (b & 0xffu) * PAGE_SIZE + ((b >> 8) & (PAGE_SIZE - 1));
	default:
		return 0u - (b & 0xffffu);
	}
}

/* The protection a region gets for prot: PROT_WRITE and PROT_EXEC imply
 * PROT_READ (Sv32 has no write-only page). */
static uint32_t effective(uint32_t prot)
{
	return (prot & (VM_W | VM_X)) ? prot | VM_R : prot;
}

/* The byte at va in as when its page is resident, else NULL. */
static uint8_t *resident_byte(struct addrspace *as, uint32_t va)
{
	pte_t *pte = sv32_walk(as->root, va, false);
	pte_t e = pte ? pte_load(pte) : 0;
	return pte_valid(e) ? (uint8_t *)pa2kva(pte_pa(e)) + sv32_offset(va) : NULL;
}

/* The regions: sorted, disjoint, page-aligned, inside user space. */
static void check_regions(const struct addrspace *as)
{
	CHECK(as->nregions >= 0 && as->nregions <= VM_MAX_REGIONS);
	uint32_t committed = 0;
	for (int i = 0; i < as->nregions; i++) {
		const struct vm_region *r = &as->regions[i];
		CHECK(ALIGNED(r->start, PAGE_SIZE) && ALIGNED(r->end, PAGE_SIZE));
		CHECK(r->start >= USER_BASE && r->start <= r->end && r->end <= USER_TOP);
		CHECK(i == 0 || as->regions[i - 1].end <= r->start);
		CHECK((r->prot & ~VM_PROT_ALL) == 0);
		committed += vm_region_commit(r);
	}
	/* Every writable private page is reserved, and nothing else. */
	CHECK(as->committed == committed);
}

/* One user PTE: a resident page or a swap entry only inside a region, and
 * a resident one grants no access its region does not. */
static void check_pte(const struct addrspace *as, uint32_t va, pte_t e, uint32_t *resident,
		      uint32_t *swapped)
{
	if (!pte_valid(e) && !pte_is_swap(e))
		return;
	const struct vm_region *r = vm_find(as, va);
	CHECK(r != NULL);
	if (pte_is_swap(e)) {
		(*swapped)++;
		return;
	}
	(*resident)++;
	CHECK(!(e & PTE_W) || (r->prot & VM_W));
	CHECK(!(e & PTE_X) || (r->prot & VM_X));
	CHECK(!(e & PTE_R) || (r->prot & VM_R));
}

/* Walk every user page table: the PTEs agree with the regions and with
 * the space's resident and swapped counts. */
static void check_page_tables(const struct addrspace *as)
{
	uint32_t resident = 0, swapped = 0;
	for (uint32_t i = 0; i < sv32_vpn1(USER_TOP); i++) {
		pte_t top = pte_load(&as->root[i]);
		if (!pte_valid(top))
			continue;
		const pte_t *table = pa2kva(pte_pa(top));
		for (uint32_t j = 0; j < SV32_PTES; j++)
			check_pte(as, i << SV32_VPN1_SHIFT | j << PAGE_SHIFT, pte_load(&table[j]),
				  &resident, &swapped);
	}
	CHECK(as->resident == resident && as->swapped == swapped);
}

/* vm_range_ok's answer, worked out afresh from the regions. */
static bool range_ok_reference(const struct addrspace *as, uint32_t va, uint32_t len, uint32_t prot)
{
	uint64_t at = va, end = (uint64_t)va + len;
	if (len == 0)
		return true;
	if (end > USER_TOP)
		return false;
	for (int i = 0; i < as->nregions && at < end; i++) {
		const struct vm_region *r = &as->regions[i];
		if (r->end <= at)
			continue;
		if (r->start > at || (r->prot & prot) != prot)
			return false;
		at = r->end;
	}
	return at >= end;
}

static bool has_region(const struct addrspace *as, const struct vm_region *r)
{
	for (int i = 0; i < as->nregions; i++)
		if (memcmp(r, &as->regions[i], sizeof(*r)) == 0)
			return true;
	return false;
}

/* Empty regions (the heap before its first brk) are positions: a call on
 * [start, end) makes none, and removes only those at start <= it < end. */
static void check_empty_regions(const struct addrspace *before, const struct addrspace *as,
				uint32_t start, uint64_t end)
{
	for (int i = 0; i < as->nregions; i++)
		if (as->regions[i].start == as->regions[i].end)
			CHECK(has_region(before, &as->regions[i]));
	for (int i = 0; i < before->nregions; i++) {
		const struct vm_region *r = &before->regions[i];
		if (r->start == r->end && (r->start < start || r->start >= end))
			CHECK(has_region(as, r));
	}
}

/* The byte at va of a fresh mapping at start of file bytes from off (or of
 * zeroes): a freshly mapped page never shows what was there before. */
static void check_fresh_byte(struct addrspace *as, uint32_t va, uint32_t start, bool anon,
			     uint32_t size, uint32_t off)
{
	if (vm_fault(as, va, VM_R) != 0)
		return; /* out of memory and swap: a fair answer */
	const uint8_t *p = resident_byte(as, va);
	CHECK(p != NULL);
	uint64_t n = (uint64_t)off + (va - start);
	CHECK(*p == (!anon && n < size ? file[n] : 0));
}

static void do_mmap(struct addrspace *as, const struct call *c)
{
	uint32_t addr = pick_addr(as, c->how, c->a), len = pick_len(c->how >> 2, c->b);
	uint32_t prot = c->how >> 4, flags = c->flags & 0x3fu;
	uint32_t size = MIN((c->file & 0xfu) * 1000u, FILE_SIZE);
	uint32_t off = (c->file >> 4) == 0xf ? 123u : (c->file >> 4) * PAGE_SIZE, out = 0;
	struct addrspace before;
	memcpy(&before, as, sizeof(before));
	bool anon = flags & VM_MAP_ANONYMOUS;

	int err = vm_mmap(as, addr, len, prot, flags, anon ? NULL : file, size, off, &out);
	CHECK(err == 0 || err == -EINVAL || err == -ENOMEM || err == -EACCES);
	if (len == 0 || (prot & ~VM_PROT_ALL) || !ALIGNED(off, PAGE_SIZE))
		CHECK(err == -EINVAL);
	if (err == -EINVAL || err == -EACCES) /* refused before anything changed */
		CHECK(memcmp(&before, as, sizeof(before)) == 0);
	if (err)
		return;
	uint32_t span = PAGE_ROUND_UP(len);
	CHECK(ALIGNED(out, PAGE_SIZE) && out >= USER_BASE && span <= USER_TOP - out);
	CHECK(!(flags & VM_MAP_FIXED) ? span <= MMAP_TOP - out : out == addr);
	CHECK(vm_range_ok(as, out, span, effective(prot)));
	check_empty_regions(&before, as, out, (uint64_t)out + span);
	if (effective(prot) & VM_R) {
		check_fresh_byte(as, out, out, anon, size, off);
		check_fresh_byte(as, out + span - PAGE_SIZE, out, anon, size, off);
	}
}

static void do_munmap(struct addrspace *as, const struct call *c)
{
	uint32_t addr = pick_addr(as, c->how, c->a), len = pick_len(c->how >> 2, c->b);
	struct addrspace before;
	memcpy(&before, as, sizeof(before));

	int err = vm_munmap(as, addr, len);
	CHECK(err == 0 || err == -EINVAL || err == -ENOMEM);
	if (len == 0 || !ALIGNED(addr, PAGE_SIZE))
		CHECK(err == -EINVAL);
	if (err == -EINVAL)
		CHECK(memcmp(&before, as, sizeof(before)) == 0);
	if (err == 0) {
		uint32_t span = PAGE_ROUND_UP(len);
		check_empty_regions(&before, as, addr, (uint64_t)addr + span);
		for (int i = 0; i < as->nregions; i++)
			CHECK(as->regions[i].end <= addr || as->regions[i].start >= addr + span ||
			      as->regions[i].start == as->regions[i].end);
	}
}

static void do_mprotect(struct addrspace *as, const struct call *c)
{
	uint32_t addr = pick_addr(as, c->how, c->a), len = pick_len(c->how >> 2, c->b);
	uint32_t prot = c->flags & 0xfu;
	struct addrspace before;
	memcpy(&before, as, sizeof(before));

	int err = vm_mprotect(as, addr, len, prot);
	CHECK(err == 0 || err == -EINVAL || err == -ENOMEM || err == -EACCES);
	if (!ALIGNED(addr, PAGE_SIZE) || (prot & ~VM_PROT_ALL))
		CHECK(err == -EINVAL);
	if (err == -EINVAL)
		CHECK(memcmp(&before, as, sizeof(before)) == 0);
	if (err == 0 && len > 0) {
		uint32_t span = PAGE_ROUND_UP(len);
		check_empty_regions(&before, as, addr, (uint64_t)addr + span);
		for (int i = 0; i < as->nregions; i++) {
			const struct vm_region *r = &as->regions[i];
			if (r->start >= addr && r->end <= addr + span && r->start < r->end)
				CHECK(r->prot == effective(prot));
		}
		CHECK(vm_range_ok(as, addr, span, effective(prot)));
	}
}

static void do_brk(struct addrspace *as, const struct call *c)
{
	uint32_t want = pick_addr(as, c->how, c->a);
	int err = vm_set_brk(as, want);
	CHECK(err == 0 || err == -ENOMEM);
	if (err == 0)
		CHECK(as->brk == want);
}

/* A fault succeeds exactly where the regions allow the access (or finds
 * no memory); a write lands in the page, so later mappings there are
 * checked against stale bytes. */
static void do_fault(struct addrspace *as, const struct call *c)
{
	static const uint32_t access[] = {VM_R, VM_W, VM_X, VM_W};
	uint32_t va = pick_addr(as, c->how, c->a), need = access[c->flags & 3];
	bool allowed = range_ok_reference(as, PAGE_ROUND_DOWN(va), PAGE_SIZE, need) &&
		       !(need == VM_W && (vm_find(as, va)->flags & VMR_F_NOWRITE));

	int err = vm_fault(as, va, need);
	CHECK(allowed ? err == 0 || err == -ENOMEM : err == -EFAULT);
	if (err == 0 && need == VM_W) {
		uint8_t *p = resident_byte(as, va);
		CHECK(p != NULL);
		*p = (uint8_t)(c->b | 1); /* never 0, which a fresh page holds */
	}
}

static void do_range_ok(struct addrspace *as, const struct call *c)
{
	uint32_t va = pick_addr(as, c->how, c->a), len = pick_len(c->how >> 2, c->b);
	uint32_t prot = c->flags & VM_PROT_ALL;
	CHECK(vm_range_ok(as, va, len, prot) == range_ok_reference(as, va, len, prot));
}

static void (*const ops[OP_COUNT])(struct addrspace *, const struct call *) = {
    [OP_MMAP] = do_mmap, [OP_MUNMAP] = do_munmap, [OP_MPROTECT] = do_mprotect,
    [OP_BRK] = do_brk,	 [OP_FAULT] = do_fault,	  [OP_RANGE_OK] = do_range_ok,
};

/* Add r to as with its reservation, as exec does. */
static void add_region(struct addrspace *as, struct vm_region r)
{
	CHECK(vm_add_region(as, &r) == 0);
	CHECK(vm_commit(as, vm_region_commit(&r)) == 0);
}

/* A space as exec leaves it: text from the file, data, an empty heap, the stack. */
static struct addrspace *exec_layout(void)
{
	struct addrspace *as = vm_create();
	CHECK(as != NULL);
	uint32_t data = TEXT + TEXT_PAGES * PAGE_SIZE, heap = data + DATA_PAGES * PAGE_SIZE;
	add_region(as, (struct vm_region){.start = TEXT,
					  .end = data,
					  .prot = VM_R | VM_X,
					  .kind = VMR_FILE,
					  .file_data = file,
					  .file_base = TEXT,
					  .file_lo = TEXT,
					  .file_hi = data});
	add_region(as, (struct vm_region){
			   .start = data, .end = heap, .prot = VM_R | VM_W, .kind = VMR_ANON});
	add_region(as, (struct vm_region){.start = heap,
					  .end = heap,
					  .prot = VM_R | VM_W,
					  .kind = VMR_ANON,
					  .flags = VMR_F_HEAP});
	add_region(as, (struct vm_region){.start = USER_TOP - STACK_MAX,
					  .end = USER_TOP,
					  .prot = VM_R | VM_W,
					  .kind = VMR_STACK});
	as->heap_start = as->brk = heap;
	return as;
}

/* Nothing outlives the space: its frames, swap slots and reservations. */
static void check_all_returned(uint32_t frames, uint32_t slots)
{
	struct addrspace probe = {0};
	uint32_t limit = reclaim_user_frames_max() + swap_total_slots();
	CHECK(frame_count_free() == frames);
	CHECK(swap_free_slots() == slots);
	CHECK(vm_commit(&probe, limit) == 0); /* only when no reservation is left */
	vm_uncommit(&probe, limit);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	for (uint32_t i = 0; i < FILE_SIZE; i++)
		file[i] = (uint8_t)(i % 251 + 1);
	CHECK(host_vm_setup(RAM_PAGES, SWAP_PAGES, 0) == 0);
	uint32_t frames = frame_count_free(), slots = swap_free_slots();
	struct addrspace *as = exec_layout();

	for (size_t at = 0, n = 0; at < size && n < MAX_CALLS; at += RECORD_SIZE, n++) {
		struct call c = decode(data + at, size - at);
		ops[c.op % OP_COUNT](as, &c);
		check_regions(as);
		check_page_tables(as);
		CHECK(vm_check() == 0); /* the books: kernel/mm/vmcheck.c */
	}
	vm_deactivate();
	vm_destroy(as);
	check_all_returned(frames, slots);
	host_vm_teardown();
	return 0;
}
