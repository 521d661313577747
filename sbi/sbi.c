/*
 * SBI calls (SBI specification v2.0, "Binary Encoding"): a7 = extension,
 * a6 = function, a0-a5 = arguments; OpenSBI returns a0 = error, a1 = value
 * and preserves every other register.
 */
#include "sbi/sbi.h"
#include "mm/phys.h"
#include "lib/klib.h"

static bool have_dbcn;

struct sbiret sbi_call(uint32_t ext, uint32_t fid, uint32_t a0, uint32_t a1, uint32_t a2,
		       uint32_t a3, uint32_t a4)
{
	register uint32_t r0 __asm__("a0") = a0;
	register uint32_t r1 __asm__("a1") = a1;
	register uint32_t r2 __asm__("a2") = a2;
	register uint32_t r3 __asm__("a3") = a3;
	register uint32_t r4 __asm__("a4") = a4;
	register uint32_t r6 __asm__("a6") = fid;
	register uint32_t r7 __asm__("a7") = ext;
	__asm__ volatile("ecall"
			 : "+r"(r0), "+r"(r1)
			 : "r"(r2), "r"(r3), "r"(r4), "r"(r6), "r"(r7)
			 : "memory");
	return (struct sbiret){ .error = (long)r0, .value = (long)r1 };
}

struct sbiret sbi_get_spec_version(void) { return sbi_call(SBI_EXT_BASE, 0, 0, 0, 0, 0, 0); }
struct sbiret sbi_get_impl_id(void) { return sbi_call(SBI_EXT_BASE, 1, 0, 0, 0, 0, 0); }
struct sbiret sbi_get_impl_version(void) { return sbi_call(SBI_EXT_BASE, 2, 0, 0, 0, 0, 0); }

struct sbiret sbi_probe_extension(uint32_t ext)
{
	return sbi_call(SBI_EXT_BASE, 3, ext, 0, 0, 0, 0);
}

/* On RV32 the high half of the physical address (a2) must be 0. */
struct sbiret sbi_debug_console_write(paddr_t buf, uint32_t len)
{
	return sbi_call(SBI_EXT_DBCN, 0, len, buf, 0, 0, 0);
}

struct sbiret sbi_debug_console_write_byte(uint8_t c)
{
	return sbi_call(SBI_EXT_DBCN, 2, c, 0, 0, 0, 0);
}

void sbi_console_puts(const char *s, size_t len)
{
	if (have_dbcn) {
		while (len > 0) {
			struct sbiret r = sbi_debug_console_write(kva2pa(s), len);
			if (r.error || r.value <= 0)
				break;
			s += r.value;
			len -= (size_t)r.value;
		}
		return;
	}
	for (size_t i = 0; i < len; i++)
		sbi_call(SBI_EXT_LEGACY_PUTCHAR, 0, (uint8_t)s[i], 0, 0, 0, 0);
}

/* The 64-bit time goes in two registers, low word first. */
struct sbiret sbi_set_timer(uint64_t stime)
{
	return sbi_call(SBI_EXT_TIME, 0, (uint32_t)stime, (uint32_t)(stime >> 32), 0, 0, 0);
}

struct sbiret sbi_send_ipi(uint32_t hart_mask, uint32_t hart_mask_base)
{
	return sbi_call(SBI_EXT_IPI, 0, hart_mask, hart_mask_base, 0, 0, 0);
}

struct sbiret sbi_remote_fence_i(uint32_t hart_mask, uint32_t hart_mask_base)
{
	return sbi_call(SBI_EXT_RFENCE, 0, hart_mask, hart_mask_base, 0, 0, 0);
}

struct sbiret sbi_remote_sfence_vma(uint32_t hart_mask, uint32_t hart_mask_base,
				    uint32_t start, uint32_t size)
{
	return sbi_call(SBI_EXT_RFENCE, 1, hart_mask, hart_mask_base, start, size, 0);
}

struct sbiret sbi_remote_sfence_vma_asid(uint32_t hart_mask, uint32_t hart_mask_base,
					 uint32_t start, uint32_t size, uint32_t asid)
{
	return sbi_call(SBI_EXT_RFENCE, 2, hart_mask, hart_mask_base, start, size, asid);
}

struct sbiret sbi_remote_hfence_gvma_vmid(uint32_t hart_mask, uint32_t hart_mask_base,
					  uint32_t gpa, uint32_t size, uint32_t vmid)
{
	return sbi_call(SBI_EXT_RFENCE, 3, hart_mask, hart_mask_base, gpa, size, vmid);
}

struct sbiret sbi_debug_console_read(paddr_t buf, uint32_t len)
{
	return sbi_call(SBI_EXT_DBCN, 1, len, buf, 0, 0, 0);
}

size_t sbi_console_read(char *buf, size_t len)
{
	if (have_dbcn) {
		struct sbiret r = sbi_debug_console_read(kva2pa(buf), len);
		return r.error || r.value < 0 ? 0 : MIN((size_t)r.value, len);
	}
	size_t n = 0;
	for (; n < len; n++) {
		struct sbiret r = sbi_call(SBI_EXT_LEGACY_GETCHAR, 0, 0, 0, 0, 0, 0);
		if (r.error < 0)
			break; /* legacy calls return the byte, or -1, in a0 */
		buf[n] = (char)r.error;
	}
	return n;
}

struct sbiret sbi_hart_start(uint32_t hartid, paddr_t start, uint32_t opaque)
{
	return sbi_call(SBI_EXT_HSM, 0, hartid, start, opaque, 0, 0);
}

struct sbiret sbi_hart_stop(void) { return sbi_call(SBI_EXT_HSM, 1, 0, 0, 0, 0, 0); }

struct sbiret sbi_hart_get_status(uint32_t hartid)
{
	return sbi_call(SBI_EXT_HSM, 2, hartid, 0, 0, 0, 0);
}

struct sbiret sbi_system_reset(uint32_t type, uint32_t reason)
{
	return sbi_call(SBI_EXT_SRST, 0, type, reason, 0, 0, 0);
}

void sbi_init(void)
{
	struct sbiret r = sbi_probe_extension(SBI_EXT_DBCN);
	have_dbcn = r.error == SBI_SUCCESS && r.value != 0;
}

const char *sbi_strerror(long error)
{
	static const char *const names[] = {
		"success", "failed", "not supported", "invalid parameter",
		"denied", "invalid address", "already available",
	};
	if (error <= 0 && -error < (long)(sizeof(names) / sizeof(names[0])))
		return names[-error];
	return "unknown SBI error";
}
