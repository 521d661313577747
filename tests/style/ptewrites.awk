# Print "FILE:LINE: TEXT" for every store to a page-table entry that does
# not go through riscv/sv32.h's helpers: "*p = ...", "*p |= ...", "p[i] =
# ..." or a memset/memcpy onto p, where p was declared in the same file as
# a pte_t pointer (a variable, a parameter or a struct member), and any
# cast to pte_t *. Run it on files outside kernel/riscv/.
FNR == 1 {
	delete ptr
	# First pass over the file: the names declared as pte_t pointers.
	while ((getline line < FILENAME) > 0) {
		rest = line
		while (match(rest, /pte_t[ \t]*\*+[ \t]*(const[ \t]+)?[A-Za-z_][A-Za-z_0-9]*/)) {
			decl = substr(rest, RSTART, RLENGTH)
			sub(/.*[ *\t]/, "", decl)
			ptr[decl] = 1
			rest = substr(rest, RSTART + RLENGTH)
		}
	}
	close(FILENAME)
}
{
	text = $0
	sub(/\/\*.*\*\//, "", text)
	# A declaration with an initialiser sets the pointer, not the entry.
	gsub(/pte_t[ \t]*\*+[ \t]*(const[ \t]+)?[A-Za-z_][A-Za-z_0-9]*[ \t]*=/, "DECL", text)
	if (text ~ /\([ \t]*(volatile[ \t]+)?pte_t[ \t]*\*[ \t]*\)/) {
		print FILENAME ":" FNR ": " $0
		next
	}
	for (p in ptr) {
		deref = "\\*[ \t]*(\\(?[ \t]*" p "[ \t]*\\)?)[ \t]*[|&^]?=[^=]"
		index_ = "(^|[^A-Za-z_0-9.>])" p "[ \t]*\\[[^]]*\\][ \t]*[|&^]?=[^=]"
		bulk = "mem(set|cpy|move)[ \t]*\\([ \t]*&?[ \t]*" p "[^A-Za-z_0-9]"
		if (text ~ deref || text ~ index_ || text ~ bulk) {
			print FILENAME ":" FNR ": " $0
			break
		}
	}
}
