# make plots: Belady's anomaly, FIFO against LRU and OPT on the textbook
# string, from replsim belady (columns: frames opt lru fifo clock). The
# Makefile sets dir with gnuplot -e.

dat = dir.'/belady.dat'

set terminal pngcairo size 1100,760 enhanced font 'DejaVu Sans,13'
set output dir.'/belady.png'
set title "{/:Bold Belady's anomaly: with FIFO, 4 frames take more faults than 3}\nreference string 1 2 3 4 1 2 5 1 2 3 4 5, starting from empty frames, every fault counted (host simulator)"
set xlabel 'frames'
set ylabel 'page faults (of 12 references)'
set yrange [0:15.5]
set ytics 0, 2, 12
set grid ytics
set key top right box opaque spacing 1.3
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.9 border rgb 'black'
set boxwidth 0.9

c_fifo = '#D55E00'
c_lru = '#7F7F7F'
c_opt = '#009E73'

# Clusters sit at x = 0, 1, ... (1 frame, 2 frames, ...); within one, the
# bars of FIFO, LRU and OPT are at -1/4, 0 and +1/4.
set label 1 "{/:Bold FIFO: 9 faults with 3 frames, 10 with 4}" at 1.95, 14.4 center front
set arrow 1 from 1.8, 13.8 to 1.75, 10.3 head filled size char 1,20 lw 2 lc rgb c_fifo front
set arrow 2 from 2.1, 13.8 to 2.75, 11.3 head filled size char 1,20 lw 2 lc rgb c_fifo front
set label 2 "LRU and OPT never take more faults with more frames: the pages they keep\nin n frames are always among those they keep in n + 1 (stack algorithms)." \
	at screen 0.5, screen 0.05 center

set bmargin 7
plot dat using 4:xtic(1) lc rgb c_fifo title 'FIFO', \
	'' using 3 lc rgb c_lru title 'LRU', \
	'' using 2 lc rgb c_opt title 'OPT (the optimum)', \
	'' using ($0 - 0.25):4:4 with labels offset 0,0.8 notitle, \
	'' using ($0):3:3 with labels offset 0,0.8 notitle, \
	'' using ($0 + 0.25):2:2 with labels offset 0,0.8 notitle
