# make plots: page faults against frames for one benchmark string, the
# host simulator's four policies as lines and this kernel's clock and FIFO
# boots as points (tools/plots/faults.sh writes the data and sets dir,
# kind, pages, refs, seed, maxframes and rams with gnuplot -e).

sim = dir.'/faults-vs-frames-'.kind.'-sim.dat'
kernel = dir.'/faults-vs-frames-'.kind.'-kernel.dat'

if (kind eq 'locality') {
	what = 'the locality string (80% of the references go to 20% of the pages)'
} else {
	what = 'the loop string (the same scan over every page, again and again)'
}

set terminal pngcairo size 1200,800 enhanced font 'DejaVu Sans,13'
set output dir.'/faults-vs-frames-'.kind.'.png'
set title sprintf("{/:Bold Page faults against frames: %s}\n{/=12 %d pages, %d references, seed %d, after a warm-up that touches every page twice}\n{/=12 Lines: the host simulator. Points: this kernel, maxframes=%d, one boot per RAM size (QEMU -m %s)}", \
	what, pages, refs, seed, maxframes, rams)
set xlabel 'frames the string can use (its pages resident after the warm-up)'
set ylabel 'page faults during the string'
set x2label "the same frames as a share of the string's pages" offset 0,-0.4
set xrange [0:pages]
set link x2 via 100.0 * x / pages inverse x * pages / 100.0
set x2tics 10 format '%g%%'
set xtics nomirror
set yrange [0:*]
set grid xtics ytics

# Okabe-Ito colours, told apart with colour blindness too; LRU is a wide
# grey band so that clock and FIFO stay visible where they run on it.
c_lru = '#A8A8A8'
c_clock = '#0072B2'
c_fifo = '#D55E00'
c_opt = '#009E73'

is(p) = strcol(1) eq p ? $4 : NaN

if (kind eq 'locality') {
	set key top right box opaque spacing 1.3 width 1
	set arrow 1 from maxframes, graph 0 to maxframes, graph 1 nohead dt 3 lw 1.5 lc rgb 'black' back
	set label 1 sprintf("the cap, maxframes=%d:\nno boot gets more\nframes than this", maxframes) \
		at maxframes, graph 0.62 left offset 0.8,0
} else {
	set key bottom left box opaque spacing 1.3 width 1
	set label 1 sprintf("LRU, FIFO and clock coincide: with fewer frames than pages,\nevery reference misses (the page needed next is always the one\nthrown out longest ago). OPT misses only about pages - frames\nreferences in each of the %d passes: a straight line.", refs / pages) \
		at graph 0.36, graph 0.80 left front
	set label 2 'all pages fit: no faults' at pages, graph 0.06 right offset -1,0 front
}

plot sim using 1:3 with lines lw 8 lc rgb c_lru title 'LRU (simulator)', \
	'' using 1:5 with lines lw 3 lc rgb c_clock title 'clock (simulator)', \
	'' using 1:4 with lines lw 2.5 dt (8,6) lc rgb c_fifo title 'FIFO (simulator)', \
	'' using 1:2 with lines lw 3 lc rgb c_opt title 'OPT, the optimum (simulator)', \
	kernel using 3:(is('clock')) with points pt 7 ps 2.2 lc rgb c_clock title 'clock (this kernel)', \
	'' using 3:(is('clock')) with points pt 6 ps 2.2 lw 1.5 lc rgb 'black' notitle, \
	'' using 3:(is('fifo')) with points pt 9 ps 2.6 lc rgb c_fifo title 'FIFO (this kernel)', \
	'' using 3:(is('fifo')) with points pt 8 ps 2.6 lw 1.5 lc rgb 'black' notitle
