package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/term"

	"github.com/mrioflow/mrioflow/pkg/plan"
)

// progress draws a bar of the tasks finished on a terminal, with the
// Monte Carlo draws per second and the time left, and passes log lines
// through, above the bar. Where w is not a terminal it draws nothing. A
// progress is safe for concurrent use.
type progress struct {
	mu    sync.Mutex
	w     io.Writer
	tty   bool
	shown bool
	now   func() time.Time

	total, final, failed int
	// atStart is how many tasks were final when the run was planned
	// (resumed or reused); the time left is estimated from the others.
	atStart int
	draws   int // Monte Carlo draws computed since start
	// steps is how many merges of split years and Monte Carlo summaries
	// the coordinator writes itself once the tasks are done.
	steps    int
	started  time.Time
	stopTick chan struct{}
}

func newProgress(w io.Writer) *progress {
	f, ok := w.(*os.File)
	return &progress{w: w, tty: ok && term.IsTerminal(int(f.Fd())), now: time.Now}
}

// Write writes a log line above the bar.
func (p *progress) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.shown {
		fmt.Fprint(p.w, "\r\033[K")
	}
	n, err := p.w.Write(b)
	if p.shown {
		p.draw()
	}
	return n, err
}

// start begins the bar for total tasks of which final are already done,
// to be followed by steps merges and summaries.
func (p *progress) start(total, final, steps int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.total, p.final, p.atStart, p.steps, p.started = total, final, final, steps, p.now()
	p.shown = p.tty
	if !p.shown {
		return
	}
	p.draw()
	// Redraw every second, so the clock runs during long tasks.
	p.stopTick = make(chan struct{})
	go func(stop chan struct{}) {
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				p.mu.Lock()
				if p.shown {
					p.draw()
				}
				p.mu.Unlock()
			}
		}
	}(p.stopTick)
}

// update counts the report r, after which final tasks are done.
func (p *progress) update(final int, r plan.Report) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.final = final
	switch {
	case r.Status == plan.Failed:
		p.failed++
	case r.Status == plan.Done && !r.Reused:
		if _, count, ok := plan.ParseDrawBlock(r.Block); ok {
			p.draws += count
		}
	}
	if p.shown {
		p.draw()
	}
}

// finish leaves the bar as it is and moves below it.
func (p *progress) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.shown {
		fmt.Fprintln(p.w)
		p.shown = false
	}
	if p.stopTick != nil {
		close(p.stopTick)
		p.stopTick = nil
	}
}

func (p *progress) draw() {
	const width = 30
	filled := 0
	if p.total > 0 {
		filled = width * p.final / p.total
	}
	bar := strings.Repeat("=", filled) + strings.Repeat(" ", width-filled)
	fmt.Fprintf(p.w, "\r[%s] %s", bar, p.line())
}

// line is the text beside the bar: tasks done of all, failures, draws per
// second when there were draws, time taken and, once a task finished
// here, the time left at the pace so far.
func (p *progress) line() string {
	elapsed := p.now().Sub(p.started)
	var b strings.Builder
	fmt.Fprintf(&b, "%d/%d tasks", p.final, p.total)
	if p.failed > 0 {
		fmt.Fprintf(&b, ", %d failed", p.failed)
	}
	if p.draws > 0 && elapsed > 0 {
		fmt.Fprintf(&b, ", %.0f draws/s", float64(p.draws)/elapsed.Seconds())
	}
	fmt.Fprintf(&b, ", %s", elapsed.Round(time.Second))
	if here := p.final - p.atStart; here > 0 && p.final < p.total {
		left := time.Duration(float64(elapsed) * float64(p.total-p.final) / float64(here))
		fmt.Fprintf(&b, ", about %s left", left.Round(time.Second))
	}
	if p.final == p.total && p.steps > 0 {
		fmt.Fprintf(&b, "; writing %d merges and summaries", p.steps)
	}
	return b.String()
}
