# make mutate: the planted bugs of tools/mutate/mutants, one at a time, in a
# scratch copy of the tree under $(B)/mutate, each against the tests that
# should catch it (tools/mutate/run.sh; docs/mutation.md). MUTANTS=a,b runs
# only those. Not part of make test. Included by the top Makefile, which
# defines B and UNIT_BINS.

MUTANTS ?=

.PHONY: mutate unit-bins
mutate: | deps
	@B='$(B)' MUTANTS='$(MUTANTS)' tools/mutate/run.sh

# The host unit binaries, built but not run: the runner builds them in its
# scratch copy with the kernel.
unit-bins: $(UNIT_BINS)
