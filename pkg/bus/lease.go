package bus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// ErrConflict is returned by Claim when the job's record changed since
// the revision the caller read: another coordinator came first. Read the
// record again and decide again.
var ErrConflict = errors.New("bus: the job's record changed meanwhile")

// ErrLost is returned by a Lease's methods once another coordinator has
// taken the job over.
var ErrLost = errors.New("bus: another coordinator took the job over")

// Held reports whether a coordinator holds the job at now: one is named
// and its last heartbeat is younger than its lease. Clocks of different
// machines disagree; Wait does not rely on them alone.
func (s JobState) Held(now time.Time) bool {
	return s.Owner != "" && now.Sub(s.Heartbeat) < s.Lease
}

// Lease is a coordinator's hold on a job's record: it alone writes the
// record while it renews the lease. A Lease is safe for concurrent use.
type Lease struct {
	b   *Bus
	mu  sync.Mutex
	s   JobState
	rev uint64
}

// Claim writes s as the job's record, with s.Owner holding it from now,
// provided the record is still at revision rev (0: there was none). It
// returns ErrConflict when the record changed meanwhile. s.Owner and
// s.Lease must be set; Claim panics otherwise.
func (b *Bus) Claim(ctx context.Context, s JobState, rev uint64) (*Lease, error) {
	if s.Owner == "" || s.Lease <= 0 {
		panic("bus: Claim without an owner or a lease")
	}
	s.Heartbeat = time.Now().UTC()
	data, err := json.Marshal(s)
	if err != nil {
		return nil, fmt.Errorf("bus: encode state of job %s: %w", s.Job, err)
	}
	if rev == 0 {
		rev, err = b.state.Create(ctx, jobKey(s.Job), data)
	} else {
		rev, err = b.state.Update(ctx, jobKey(s.Job), data, rev)
	}
	if errors.Is(err, jetstream.ErrKeyExists) || errors.Is(err, jetstream.ErrKeyRevisionMismatch) {
		return nil, fmt.Errorf("%w: job %s", ErrConflict, s.Job)
	}
	if err != nil {
		return nil, fmt.Errorf("bus: claim job %s: %w", s.Job, err)
	}
	return &Lease{b: b, s: s, rev: rev}, nil
}

// Wait waits until no live coordinator holds the job and returns its
// record then, with its revision (nil and 0 when there is none). A holder
// is taken for gone when its heartbeat is older than its lease by this
// machine's clock, or when its record does not change for a whole lease
// while Wait watches. onWait, when not nil, is called once per holder
// waited for.
func (b *Bus) Wait(ctx context.Context, job string, onWait func(JobState)) (*JobState, uint64, error) {
	var (
		seenRev  uint64
		seenAt   time.Time
		reported string
	)
	for {
		s, rev, err := b.Job(ctx, job)
		if err != nil {
			return nil, 0, err
		}
		now := time.Now()
		if s == nil || !s.Held(now) {
			return s, rev, nil
		}
		if rev != seenRev {
			seenRev, seenAt = rev, now
		} else if now.Sub(seenAt) >= s.Lease {
			return s, rev, nil // silent for a whole lease
		}
		if onWait != nil && reported != s.Owner {
			onWait(*s)
			reported = s.Owner
		}
		select {
		case <-ctx.Done():
			return nil, 0, fmt.Errorf("bus: job %s: waiting for %s: %w", job, s.Owner, ctx.Err())
		case <-time.After(min(time.Second, s.Lease/4)):
		}
	}
}

// State returns the record as the lease last wrote it.
func (l *Lease) State() JobState {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.s
}

// Renew stamps a new heartbeat. It returns ErrLost when another
// coordinator has taken the job over, and the server's error otherwise
// (the lease then still holds until it runs out).
func (l *Lease) Renew(ctx context.Context) error {
	return l.Update(ctx, func(*JobState) {})
}

// Update changes the record with change and writes it, with a fresh
// heartbeat. It returns ErrLost when another coordinator has taken the
// job over.
func (l *Lease) Update(ctx context.Context, change func(*JobState)) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.s
	change(&s)
	s.Heartbeat = time.Now().UTC()
	return l.writeLocked(ctx, s)
}

// Release writes the record after change, with no owner, so that the next
// coordinator need not wait for the lease to run out.
func (l *Lease) Release(ctx context.Context, change func(*JobState)) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.s
	change(&s)
	s.Owner, s.Heartbeat = "", time.Time{}
	return l.writeLocked(ctx, s)
}

func (l *Lease) writeLocked(ctx context.Context, s JobState) error {
	data, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("bus: encode state of job %s: %w", s.Job, err)
	}
	for retried := false; ; retried = true {
		rev, err := l.b.state.Update(ctx, jobKey(s.Job), data, l.rev)
		if err == nil {
			l.s, l.rev = s, rev
			return nil
		}
		if !errors.Is(err, jetstream.ErrKeyExists) && !errors.Is(err, jetstream.ErrKeyRevisionMismatch) {
			return fmt.Errorf("bus: write state of job %s: %w", s.Job, err)
		}
		now, rev, rerr := l.b.Job(ctx, s.Job)
		switch {
		case rerr != nil:
			return rerr
		case now == nil:
			return fmt.Errorf("%w: job %s: its record was removed", ErrLost, s.Job)
		case now.Owner != l.s.Owner || now.Run != l.s.Run:
			return fmt.Errorf("%w: job %s is now held by %q, run %s", ErrLost, s.Job, now.Owner, now.Run)
		case retried:
			return fmt.Errorf("bus: write state of job %s: %w", s.Job, err)
		}
		// Still ours: an earlier write landed though its answer was
		// lost. Write again over it.
		l.rev = rev
	}
}
