package runner

import (
	"sync"

	"github.com/mrioflow/mrioflow/pkg/accounts"
	"github.com/mrioflow/mrioflow/pkg/plan"
	"github.com/mrioflow/mrioflow/pkg/table"
)

// prepared is a table read, cut to the job's stressors and in coefficient
// form, with the stressors that dropped out with zero output. It is shared
// by every task of its year and never changed while shared: tasks work on
// copies, except the last task of its year, which takes the table itself
// (see take).
type prepared struct {
	t    *table.Table
	zero []accounts.ZeroOutput
	// files are the checksums of the files t was read from, nil when
	// they were not taken (a local table read without the coordinator's
	// checksums).
	files []plan.File

	mu      sync.Mutex     // guards uses and taken; taken before cache.mu
	uses    int            // tasks that took t, a copy or itself
	taken   bool           // t belongs to a task; nobody else may read it
	copying sync.WaitGroup // tasks copying t now
}

// take returns a table that the caller may change: t itself when the
// caller is the last of total tasks to use it (total > 0) or when no
// cache shares p, otherwise a copy. When t is taken, p leaves c and take
// waits for the copies being made; ok is false when another task took t
// already, and the caller must load the table again.
func (p *prepared) take(c *cache, key string, total int) (t *table.Table, ok bool) {
	p.mu.Lock()
	if p.taken {
		p.mu.Unlock()
		return nil, false
	}
	p.uses++
	if c.max <= 0 || (total > 0 && p.uses >= total) {
		p.taken = true
		c.drop(key, p)
		p.mu.Unlock()
		p.copying.Wait()
		return p.t, true
	}
	p.copying.Add(1)
	p.mu.Unlock()
	defer p.copying.Done()
	return p.t.Clone(), true
}

// cache keeps the most recently used prepared tables. Loads of one key
// that overlap share one read. A cache is safe for concurrent use.
type cache struct {
	max int // tables kept; 0 keeps none

	mu      sync.Mutex
	entries []*entry // least recently used first
}

type entry struct {
	key   string
	ready chan struct{} // closed when p and err are set
	p     *prepared
	err   error
}

// get returns the prepared table of key, loading it with load unless it is
// cached or being loaded. A failed load is not kept.
func (c *cache) get(key string, load func() (*prepared, error)) (*prepared, error) {
	if c.max <= 0 {
		return load()
	}
	c.mu.Lock()
	for i, e := range c.entries {
		if e.key == key {
			c.entries = append(append(c.entries[:i:i], c.entries[i+1:]...), e)
			c.mu.Unlock()
			<-e.ready
			return e.p, e.err
		}
	}
	e := &entry{key: key, ready: make(chan struct{})}
	c.entries = append(c.entries, e)
	if len(c.entries) > c.max {
		c.entries = c.entries[len(c.entries)-c.max:]
	}
	c.mu.Unlock()

	e.p, e.err = load()
	close(e.ready)
	if e.err != nil {
		c.mu.Lock()
		for i, x := range c.entries {
			if x == e {
				c.entries = append(c.entries[:i:i], c.entries[i+1:]...)
				break
			}
		}
		c.mu.Unlock()
	}
	return e.p, e.err
}

// drop removes p, cached under key, from the cache.
func (c *cache) drop(key string, p *prepared) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, e := range c.entries {
		if e.key != key {
			continue
		}
		select {
		case <-e.ready: // e.p is set
		default:
			continue // a load of the key begun after p left the cache
		}
		if e.p == p {
			c.entries = append(c.entries[:i:i], c.entries[i+1:]...)
			return
		}
	}
}

// put caches p under key unless the key is cached or being loaded.
func (c *cache) put(key string, p *prepared) {
	if c.max <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, e := range c.entries {
		if e.key == key {
			return
		}
	}
	e := &entry{key: key, ready: make(chan struct{}), p: p}
	close(e.ready)
	c.entries = append(c.entries, e)
	if len(c.entries) > c.max {
		c.entries = c.entries[len(c.entries)-c.max:]
	}
}
