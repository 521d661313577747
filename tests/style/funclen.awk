# Print "FILE:LINE NAME N" for every function whose body (from the "{" that
# opens it in column 0 to the "}" that closes it in column 0, both counted)
# is longer than MAX lines. The kernel's style (.clang-format, Linux
# braces) puts exactly those two braces in column 0.
FNR == 1 { name = ""; start = 0 }
/^[A-Za-z_].*\(/ && !/;[ \t]*$/ { sig = $0; sig_line = FNR }
/^\{/ { start = FNR; name = sig; sub(/\(.*/, "", name); sub(/.*[ *]/, "", name) }
/^\}/ && start {
	n = FNR - start + 1
	if (n > MAX)
		printf "%s:%d %s %d\n", FILENAME, sig_line, name, n
	start = 0
}
