package bus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/mrioflow/mrioflow/pkg/plan"
)

// maxDeliveriesSubject is where the server says that a task reached
// MaxDeliver without an answer.
const maxDeliveriesSubject = "$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES." + TaskStream + "." + WorkerConsumer

// Report publishes a worker's report on a task to the run's event subject
// and waits until the server has stored it.
func (b *Bus) Report(ctx context.Context, r plan.Report) error {
	data, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("bus: encode report on %s: %w", r.Task, err)
	}
	if _, err := b.js.Publish(ctx, eventSubject(r.Job, r.Run), data, jetstream.WithExpectStream(EventStream)); err != nil {
		return fmt.Errorf("bus: publish report on %s: %w", r.Task, err)
	}
	return nil
}

// Watch follows the reports of one run of a job. A Watch is not safe for
// concurrent use.
type Watch struct {
	b        *Bus
	job, run string
	it       jetstream.MessagesContext
	reports  chan jetstream.Msg
	errs     chan error
	lost     chan *nats.Msg
	sub      *nats.Subscription
	done     chan struct{}
}

// Watch starts following the reports of a run, from the first one stored,
// so a Watch started after some tasks finished still sees them. It also
// turns a task of the run that reached MaxDeliver without any report (its
// workers died) into a Failed report, and removes that task from the
// queue. Call Close when done.
func (b *Bus) Watch(ctx context.Context, job, run string) (*Watch, error) {
	w := &Watch{
		b: b, job: job, run: run,
		reports: make(chan jetstream.Msg),
		errs:    make(chan error, 1),
		lost:    make(chan *nats.Msg, 64),
		done:    make(chan struct{}),
	}
	var err error
	w.sub, err = b.nc.ChanSubscribe(maxDeliveriesSubject, w.lost)
	if err != nil {
		return nil, fmt.Errorf("bus: watch %s: %w", job, err)
	}
	cons, err := b.js.OrderedConsumer(ctx, EventStream, jetstream.OrderedConsumerConfig{
		FilterSubjects: []string{eventSubject(job, run)},
		DeliverPolicy:  jetstream.DeliverAllPolicy,
	})
	if err != nil {
		w.sub.Unsubscribe()
		return nil, fmt.Errorf("bus: watch %s: %w", job, err)
	}
	w.it, err = cons.Messages()
	if err != nil {
		w.sub.Unsubscribe()
		return nil, fmt.Errorf("bus: watch %s: %w", job, err)
	}
	go w.pump()
	return w, nil
}

// pump hands the iterator's messages to Next until Close.
func (w *Watch) pump() {
	for {
		msg, err := w.it.Next()
		if err != nil {
			if !errors.Is(err, jetstream.ErrMsgIteratorClosed) {
				select {
				case w.errs <- err:
				default:
				}
			}
			return
		}
		select {
		case w.reports <- msg:
		case <-w.done:
			return
		}
	}
}

// Next returns the next report of the run. Reports of a redelivered task
// may come twice; plan.Manifest.Add keeps the first final one. Next
// returns ctx's error when ctx ends first, and an error when the event
// stream fails; a report that does not decode is skipped.
func (w *Watch) Next(ctx context.Context) (plan.Report, error) {
	for {
		select {
		case <-ctx.Done():
			return plan.Report{}, ctx.Err()
		case err := <-w.errs:
			return plan.Report{}, fmt.Errorf("bus: watch %s: %w", w.job, err)
		case msg := <-w.reports:
			var r plan.Report
			if err := json.Unmarshal(msg.Data(), &r); err != nil {
				continue // TODO(events): count skipped reports so a caller can warn
			}
			return r, nil
		case msg := <-w.lost:
			r, ok, err := w.given(ctx, msg)
			if err != nil {
				return plan.Report{}, err
			}
			if ok {
				return r, nil
			}
		}
	}
}

// given turns a max-deliveries advisory into a Failed report when it is
// about a task of this run.
func (w *Watch) given(ctx context.Context, msg *nats.Msg) (plan.Report, bool, error) {
	var adv struct {
		StreamSeq  uint64 `json:"stream_seq"`
		Deliveries uint64 `json:"deliveries"`
	}
	if err := json.Unmarshal(msg.Data, &adv); err != nil || adv.StreamSeq == 0 {
		return plan.Report{}, false, nil
	}
	raw, err := w.b.tasks.GetMsg(ctx, adv.StreamSeq)
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return plan.Report{}, false, nil // answered in the meantime
	}
	if err != nil {
		return plan.Report{}, false, fmt.Errorf("bus: watch %s: task %d: %w", w.job, adv.StreamSeq, err)
	}
	var t plan.Task
	if json.Unmarshal(raw.Data, &t) != nil || t.Job != w.job || t.Run != w.run {
		return plan.Report{}, false, nil
	}
	if err := w.b.tasks.DeleteMsg(ctx, adv.StreamSeq); err != nil && !errors.Is(err, jetstream.ErrMsgNotFound) {
		return plan.Report{}, false, fmt.Errorf("bus: watch %s: remove task %s: %w", w.job, t.ID(), err)
	}
	r := plan.NewReport(t)
	r.Status = plan.Failed
	r.Attempt = int(adv.Deliveries)
	r.Error = fmt.Sprintf("handed out %d times without an answer (workers lost or stopped)", adv.Deliveries)
	return r, true, nil
}

// Close stops following the run.
func (w *Watch) Close() {
	close(w.done)
	w.it.Stop()
	w.sub.Unsubscribe()
}
