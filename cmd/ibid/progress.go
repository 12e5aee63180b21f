package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/term"
)

// progress reports a long job: a redrawn bar with counts, rate and time left
// when w is a terminal, a plain line every few seconds otherwise.
type progress struct {
	mu      sync.Mutex
	w       io.Writer
	label   string
	total   int
	done    int
	start   time.Time
	last    time.Time
	tty     bool
	every   time.Duration
	drawn   bool
	enabled bool
}

// A total of 0 or less counts without a bar, for a job whose size is not
// known in advance.
func newProgress(w io.Writer, label string, total int) *progress {
	p := &progress{w: w, label: label, total: total, start: time.Now(), every: 5 * time.Second, enabled: true}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.tty, p.every = true, 100*time.Millisecond
	}
	return p
}

// Add records n more items done.
func (p *progress) Add(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done += n
	if now := time.Now(); p.enabled && (now.Sub(p.last) >= p.every || p.done == p.total) {
		p.last = now
		p.draw(now)
	}
}

// Printf prints a line above the bar without garbling it.
func (p *progress) Printf(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tty && p.drawn {
		fmt.Fprint(p.w, "\r\033[K")
	}
	fmt.Fprintf(p.w, format, args...)
	if p.tty && p.drawn {
		p.draw(time.Now())
	}
}

// Done ends the bar's line.
func (p *progress) Done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tty && p.drawn {
		p.draw(time.Now())
		fmt.Fprintln(p.w)
	}
	p.enabled = false
}

func (p *progress) draw(now time.Time) {
	elapsed := now.Sub(p.start).Seconds()
	rate := 0.0
	if elapsed > 0 {
		rate = float64(p.done) / elapsed
	}
	left := "?"
	if rate > 0 && p.total >= p.done {
		left = (time.Duration(float64(p.total-p.done)/rate) * time.Second).Round(time.Second).String()
	}
	if p.total <= 0 { // a count without a known end
		if p.tty {
			fmt.Fprintf(p.w, "\r\033[K%s %d %.0f/s", p.label, p.done, rate)
			p.drawn = true
		} else {
			fmt.Fprintf(p.w, "%s: %d (%.0f/s)\n", p.label, p.done, rate)
		}
		return
	}
	if !p.tty {
		fmt.Fprintf(p.w, "%s: %d/%d (%.0f/s, %s left)\n", p.label, p.done, p.total, rate, left)
		return
	}
	const width = 30
	fill := 0
	if p.total > 0 {
		fill = width * p.done / p.total
	}
	bar := strings.Repeat("█", fill) + strings.Repeat("░", width-fill)
	fmt.Fprintf(p.w, "\r\033[K%s %s %d/%d %.0f/s %s left", p.label, bar, p.done, p.total, rate, left)
	p.drawn = true
}
