/*
 * Formatted output into a buffer: kvsnprintf and ksnprintf, with C99
 * snprintf semantics for the conversions listed in klib.h. Relies only on
 * <stdarg.h>, strlen and strnlen. Invariant: nothing is written at or past
 * buf[size - 1] except the terminating NUL, yet the length is still counted.
 */
#include "lib/klib.h"

#define NO_PRECISION (-1)
#define POINTER_MIN_DIGITS 8 /* a 32-bit address in hex */
#define DIGITS_MAX 24        /* enough for any 64-bit value in base 10 */

enum length { LEN_HH, LEN_H, LEN_INT, LEN_L, LEN_LL };

/* One parsed conversion: %[flags][width][.precision][length]conv. */
struct spec {
	bool left;  /* '-': pad on the right */
	bool zero;  /* '0': pad numbers with zeros */
	int width;
	int prec;   /* NO_PRECISION unless ".N" or ".*" was given */
	enum length len;
	char conv;
};

/* The output buffer; len counts every character, written or not. */
struct out {
	char *buf;
	size_t size;
	size_t len;
};

/* Store c if it fits before the reserved NUL slot; count it regardless. */
static void put_char(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void put_repeat(struct out *o, char c, int n)
{
	for (; n > 0; n--)
		put_char(o, c);
}

static void put_chars(struct out *o, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		put_char(o, s[i]);
}

/* Parse a decimal number or '*' (taking an int argument); 0 if neither. */
static int parse_count(const char **fmt, va_list *ap)
{
	int n = 0;

	if (**fmt == '*') {
		(*fmt)++;
		return va_arg(*ap, int);
	}
	while (**fmt >= '0' && **fmt <= '9')
		n = n * 10 + (*(*fmt)++ - '0');
	return n;
}

static enum length parse_length(const char **fmt)
{
	if (**fmt == 'h') {
		(*fmt)++;
		if (**fmt != 'h')
			return LEN_H;
		(*fmt)++;
		return LEN_HH;
	}
	if (**fmt == 'l') {
		(*fmt)++;
		if (**fmt != 'l')
			return LEN_L;
		(*fmt)++;
		return LEN_LL;
	}
	return LEN_INT;
}

/* Parse the conversion after a '%'; *fmt ends just past it. */
static struct spec parse_spec(const char **fmt, va_list *ap)
{
	struct spec sp = { .prec = NO_PRECISION };

	for (;; (*fmt)++) {
		if (**fmt == '-')
			sp.left = true;
		else if (**fmt == '0')
			sp.zero = true;
		else
			break;
	}
	sp.width = parse_count(fmt, ap);
	if (sp.width < 0) {
		/* C99 7.19.6.1: a negative '*' width is a '-' flag. */
		sp.left = true;
		sp.width = -sp.width;
	}
	if (**fmt == '.') {
		(*fmt)++;
		sp.prec = parse_count(fmt, ap);
		if (sp.prec < 0)
			sp.prec = NO_PRECISION;
	}
	sp.len = parse_length(fmt);
	sp.conv = **fmt;
	if (sp.conv != '\0')
		(*fmt)++;
	return sp;
}

static long long fetch_signed(va_list *ap, enum length len)
{
	switch (len) {
	case LEN_HH:
		return (signed char)va_arg(*ap, int);
	case LEN_H:
		return (short)va_arg(*ap, int);
	case LEN_L:
		return va_arg(*ap, long);
	case LEN_LL:
		return va_arg(*ap, long long);
	default:
		return va_arg(*ap, int);
	}
}

static unsigned long long fetch_unsigned(va_list *ap, enum length len)
{
	switch (len) {
	case LEN_HH:
		return (unsigned char)va_arg(*ap, unsigned int);
	case LEN_H:
		return (unsigned short)va_arg(*ap, unsigned int);
	case LEN_L:
		return va_arg(*ap, unsigned long);
	case LEN_LL:
		return va_arg(*ap, unsigned long long);
	default:
		return va_arg(*ap, unsigned int);
	}
}

/*
 * Write v in base backwards, ending just before end; return its first
 * digit. Only the part of v above 32 bits pays for 64-bit division (a call
 * to libgcc's __udivdi3 on rv32); the rest uses the divu instruction.
 */
static char *format_digits(char *end, unsigned long long v, unsigned base,
			   bool upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char *p = end;

	while (v > UINT32_MAX) {
		*--p = digits[v % base];
		v /= base;
	}
	uint32_t w = (uint32_t)v;
	do {
		*--p = digits[w % base];
		w /= base;
	} while (w != 0);
	return p;
}

/*
 * Emit [spaces] prefix [zeros] digits [spaces] for a magnitude v. The
 * precision is a minimum digit count, and turns '0' padding off (C99).
 */
static void put_number(struct out *o, const struct spec *sp,
		       const char *prefix, unsigned long long v, unsigned base)
{
	char buf[DIGITS_MAX];
	char *end = buf + sizeof(buf);
	char *digits = format_digits(end, v, base, sp->conv == 'X');
	int ndigits = (sp->prec == 0 && v == 0) ? 0 : (int)(end - digits);
	int plen = (int)strlen(prefix);
	int zeros = MAX(sp->prec - ndigits, 0);
	int pad = MAX(sp->width - plen - zeros - ndigits, 0);

	if (sp->zero && !sp->left && sp->prec == NO_PRECISION) {
		zeros += pad;
		pad = 0;
	}
	if (!sp->left)
		put_repeat(o, ' ', pad);
	put_chars(o, prefix, (size_t)plen);
	put_repeat(o, '0', zeros);
	put_chars(o, digits, (size_t)ndigits);
	if (sp->left)
		put_repeat(o, ' ', pad);
}

/* Emit n characters of s, padded with spaces to the field width. */
static void put_field(struct out *o, const struct spec *sp, const char *s,
		      size_t n)
{
	int pad = MAX(sp->width - (int)n, 0);

	if (!sp->left)
		put_repeat(o, ' ', pad);
	put_chars(o, s, n);
	if (sp->left)
		put_repeat(o, ' ', pad);
}

static void put_string(struct out *o, const struct spec *sp, const char *s)
{
	size_t max = sp->prec == NO_PRECISION ? SIZE_MAX : (size_t)sp->prec;

	if (s == NULL)
		s = "(null)";
	put_field(o, sp, s, strnlen(s, max));
}

static void put_signed(struct out *o, const struct spec *sp, long long v)
{
	/* Negate in unsigned arithmetic so LLONG_MIN has a magnitude. */
	if (v < 0)
		put_number(o, sp, "-", 0ULL - (unsigned long long)v, 10);
	else
		put_number(o, sp, "", (unsigned long long)v, 10);
}

static void put_pointer(struct out *o, const struct spec *sp, void *p)
{
	struct spec hex = *sp;

	hex.prec = POINTER_MIN_DIGITS;
	hex.conv = 'x';
	put_number(o, &hex, "0x", (uintptr_t)p, 16);
}

/* Emit one conversion; an unknown one is copied to the output as written. */
static void put_conversion(struct out *o, const struct spec *sp, va_list *ap)
{
	char c;

	switch (sp->conv) {
	case 'd':
	case 'i':
		put_signed(o, sp, fetch_signed(ap, sp->len));
		break;
	case 'u':
		put_number(o, sp, "", fetch_unsigned(ap, sp->len), 10);
		break;
	case 'x':
	case 'X':
		put_number(o, sp, "", fetch_unsigned(ap, sp->len), 16);
		break;
	case 'p':
		put_pointer(o, sp, va_arg(*ap, void *));
		break;
	case 's':
		put_string(o, sp, va_arg(*ap, const char *));
		break;
	case 'c':
		c = (char)va_arg(*ap, int);
		put_field(o, sp, &c, 1);
		break;
	case '%':
	case '\0': /* a '%' that ends the format prints itself */
		put_char(o, '%');
		break;
	default:
		put_char(o, '%');
		put_char(o, sp->conv);
		break;
	}
}

/*
 * Format into buf as C99 vsnprintf does: write at most size - 1 characters
 * and a NUL (nothing if size is 0), and return the full formatted length.
 */
int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { .buf = buf, .size = size };
	va_list args;

	/* A copy we can pass by address: va_list may be an array type. */
	va_copy(args, ap);
	while (*fmt != '\0') {
		if (*fmt != '%') {
			put_char(&o, *fmt++);
			continue;
		}
		fmt++;
		struct spec sp = parse_spec(&fmt, &args);
		put_conversion(&o, &sp, &args);
	}
	va_end(args);
	if (size > 0)
		buf[MIN(o.len, size - 1)] = '\0';
	return (int)o.len;
}

int ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
