package bus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/mrioflow/mrioflow/pkg/plan"
)

// Report publishes a worker's report on a task to the run's subject and
// waits until the server has stored it. The same report published twice
// within the Duplicates window (a retry after a lost confirmation) is kept
// once.
func (b *Bus) Report(ctx context.Context, r plan.Report) error {
	data, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("bus: encode report on %s: %w", r.Task, err)
	}
	id := r.Task + "@" + r.Run + "#" + strconv.Itoa(r.Attempt) + "/" + r.Worker + "/" + string(r.Status)
	if _, err := b.js.Publish(ctx, reportSubject(r.Job, r.Run), data,
		jetstream.WithMsgID(id), jetstream.WithExpectStream(ReportStream)); err != nil {
		return fmt.Errorf("bus: publish report on %s: %w", r.Task, err)
	}
	return nil
}

// Watch follows the reports of one run of a job, from the first one
// stored, and rides out a server restart: it picks up after the last
// report it passed on. A Watch is not safe for concurrent use.
type Watch struct {
	b        *Bus
	job, run string
	onError  func(error)

	reports chan plan.Report
	cancel  context.CancelFunc
	done    chan struct{}

	mu sync.Mutex
	it jetstream.MessagesContext // the iterator being read, stopped by Close
}

// watchPause is the wait before following reports again after the stream
// failed (a server that restarts).
const watchPause = time.Second

// Watch starts following the reports of a run, so a Watch started after
// some tasks finished still sees them. onError, when not nil, is told of
// each failure to read the stream, after which the Watch tries again by
// itself; it is called from the Watch's goroutine. Call Close when done.
func (b *Bus) Watch(ctx context.Context, job, run string, onError func(error)) (*Watch, error) {
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	w := &Watch{
		b: b, job: job, run: run, onError: onError,
		reports: make(chan plan.Report),
		cancel:  cancel,
		done:    make(chan struct{}),
	}
	it, err := w.follow(ctx, 0)
	if err != nil {
		cancel()
		return nil, fmt.Errorf("bus: watch %s: %w", job, err)
	}
	w.it = it
	go w.pump(ctx)
	return w, nil
}

// follow opens an iterator on the run's reports after stream sequence
// last (from the first when last is 0).
func (w *Watch) follow(ctx context.Context, last uint64) (jetstream.MessagesContext, error) {
	cfg := jetstream.OrderedConsumerConfig{
		FilterSubjects: []string{reportSubject(w.job, w.run)},
		DeliverPolicy:  jetstream.DeliverAllPolicy,
	}
	if last > 0 {
		cfg.DeliverPolicy = jetstream.DeliverByStartSequencePolicy
		cfg.OptStartSeq = last + 1
	}
	cons, err := w.b.js.OrderedConsumer(ctx, ReportStream, cfg)
	if err != nil {
		return nil, err
	}
	return cons.Messages()
}

// pump hands the reports to Next until Close, following the stream
// again whenever it fails.
func (w *Watch) pump(ctx context.Context) {
	defer close(w.done)
	var last uint64
	w.mu.Lock()
	it := w.it
	w.mu.Unlock()
	for {
		msg, err := it.Next()
		if err == nil {
			if md, err := msg.Metadata(); err == nil {
				last = md.Sequence.Stream
			}
			var r plan.Report
			if json.Unmarshal(msg.Data(), &r) != nil {
				continue // TODO(reports): count skipped reports so a caller can warn
			}
			select {
			case w.reports <- r:
				continue
			case <-ctx.Done():
				it.Stop()
				return
			}
		}
		it.Stop()
		for {
			if ctx.Err() != nil {
				return
			}
			if !errors.Is(err, jetstream.ErrMsgIteratorClosed) && w.onError != nil {
				w.onError(fmt.Errorf("bus: watch %s: %w (following again)", w.job, err))
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(watchPause):
			}
			if it, err = w.follow(ctx, last); err == nil {
				w.mu.Lock()
				w.it = it
				w.mu.Unlock()
				if ctx.Err() != nil { // Close came in between
					it.Stop()
					return
				}
				break
			}
		}
	}
}

// Next returns the next report of the run. Reports of a redelivered task
// may come twice; plan.Manifest.Add keeps the first final one. Next
// returns ctx's error when ctx ends first.
func (w *Watch) Next(ctx context.Context) (plan.Report, error) {
	select {
	case <-ctx.Done():
		return plan.Report{}, ctx.Err()
	case r := <-w.reports:
		return r, nil
	}
}

// Close stops following the run and waits until the Watch has stopped.
func (w *Watch) Close() {
	w.cancel()
	w.mu.Lock()
	w.it.Stop()
	w.mu.Unlock()
	<-w.done
}

// Reports returns the reports of a run stored so far, in the order they
// came.
func (b *Bus) Reports(ctx context.Context, job, run string) ([]plan.Report, error) {
	subject := reportSubject(job, run)
	info, err := b.reports.Info(ctx, jetstream.WithSubjectFilter(subject))
	if err != nil {
		return nil, fmt.Errorf("bus: reports of %s: %w", job, err)
	}
	if info.State.Subjects[subject] == 0 {
		return nil, nil
	}
	cons, err := b.js.OrderedConsumer(ctx, ReportStream, jetstream.OrderedConsumerConfig{
		FilterSubjects: []string{subject},
		DeliverPolicy:  jetstream.DeliverAllPolicy,
	})
	if err != nil {
		return nil, fmt.Errorf("bus: reports of %s: %w", job, err)
	}
	var out []plan.Report
	for {
		msg, err := cons.Next(jetstream.FetchContext(ctx))
		if err != nil {
			return nil, fmt.Errorf("bus: reports of %s: %w", job, err)
		}
		var r plan.Report
		if json.Unmarshal(msg.Data(), &r) == nil {
			out = append(out, r)
		}
		md, err := msg.Metadata()
		if err != nil || md.NumPending == 0 {
			return out, nil
		}
	}
}
