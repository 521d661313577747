# tools/vaddr: `vaddr ADDR` prints the split of ADDR for x86-32, x86 PAE,
# x86-64, Sv32, Sv39 and Sv48. A host program, part of `make` (all); the
# unit test (tests/unit/test_vaddr.c) links split.c and vaddr.c itself.
VADDR_SRCS := tools/vaddr/vaddr.c tools/vaddr/split.c
VADDR_HDRS := tools/vaddr/vaddr.h tools/vaddr/split.h

all: $(B)/tools/vaddr

$(B)/tools/vaddr: $(VADDR_SRCS) $(VADDR_HDRS) tools/vaddr/vaddr.mk | deps
	@mkdir -p $(@D)
	$(HOSTCC) -std=gnu11 -O2 -Wall -Wextra -Werror -o $@ $(VADDR_SRCS)
