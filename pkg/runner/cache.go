package runner

import (
	"sync"

	"github.com/mrioflow/mrioflow/pkg/accounts"
	"github.com/mrioflow/mrioflow/pkg/table"
)

// prepared is a table read, cut to the job's stressors and in coefficient
// form, with the stressors that dropped out with zero output. It is shared
// by every task of its year and never changed: tasks work on copies.
type prepared struct {
	t    *table.Table
	zero []accounts.ZeroOutput
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
