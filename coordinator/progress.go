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

// progress draws a bar of the tasks finished on a terminal, and passes log
// lines through, above the bar. Where w is not a terminal it draws
// nothing. A progress is safe for concurrent use.
type progress struct {
	mu    sync.Mutex
	w     io.Writer
	tty   bool
	shown bool

	total, final, failed int
	started              time.Time
	stopTick             chan struct{}
}

func newProgress(w io.Writer) *progress {
	f, ok := w.(*os.File)
	return &progress{w: w, tty: ok && term.IsTerminal(int(f.Fd()))}
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

func (p *progress) start(total int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.total, p.started = total, time.Now()
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

func (p *progress) update(final int, failed bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.final = final
	if failed {
		p.failed++
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
	extra := ""
	if p.failed > 0 {
		extra = fmt.Sprintf(", %d failed", p.failed)
	}
	fmt.Fprintf(p.w, "\r[%s] %d/%d tasks%s, %s", bar, p.final, p.total, extra, time.Since(p.started).Round(time.Second))
}
