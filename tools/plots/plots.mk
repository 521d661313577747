# make plots: pictures of page replacement, drawn with gnuplot, in
# $(B)/plots with their data (.dat) beside them: faults against frames for
# both benchmark strings (tools/plots/faults.sh boots the kernel for them)
# and Belady's anomaly (replsim alone). Included by the top Makefile, which
# defines B, QEMUCMD and the rule for $(B)/replsim.

PLOTS_DIR := $(B)/plots
PLOTS_FAULTS := $(PLOTS_DIR)/faults-vs-frames-locality.png $(PLOTS_DIR)/faults-vs-frames-loop.png

.PHONY: plots
plots: $(PLOTS_FAULTS) $(PLOTS_DIR)/belady.png

# The boots of both strings make both pictures in one run.
$(PLOTS_FAULTS) &: $(B)/kernel.elf $(B)/swap.img $(B)/replsim tools/plots/faults.sh \
		tools/plots/faults.gp
	@QEMUCMD='$(QEMUCMD)' tools/plots/faults.sh $(B)/replsim $(PLOTS_DIR)

$(PLOTS_DIR)/belady.png: $(B)/replsim tools/plots/belady.gp
	@mkdir -p $(@D)
	$(B)/replsim belady > $(PLOTS_DIR)/belady.dat
	gnuplot -e "dir='$(PLOTS_DIR)'" tools/plots/belady.gp
