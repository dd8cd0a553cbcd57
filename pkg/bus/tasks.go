package bus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/mrioflow/mrioflow/pkg/plan"
)

// ErrBadTask wraps the error of a task message that does not decode. Next
// has already terminated such a message; the caller may log it and pull
// again.
var ErrBadTask = errors.New("bus: bad task message")

// msgID is the deduplication id of a task: job/year/scenario/block, and the
// run, so that a task published twice by one run (a resumed coordinator)
// is queued once while a new run of the same job is not mistaken for a
// repeat.
func msgID(t plan.Task) string { return t.ID() + "@" + t.Run }

// Publish queues a task. It returns the task's sequence number in the task
// stream and whether the stream already held it (a re-publish within the
// Duplicates window, which is dropped). It returns an error when the
// server does not confirm the task.
func (b *Bus) Publish(ctx context.Context, t plan.Task) (seq uint64, duplicate bool, err error) {
	return b.publish(ctx, t, msgID(t))
}

// Requeue queues a task again that left the queue without a final report
// (Queued said so), under a fresh message id so that the Duplicates
// window does not drop it.
func (b *Bus) Requeue(ctx context.Context, t plan.Task) error {
	_, _, err := b.publish(ctx, t, msgID(t)+"/"+strconv.FormatInt(time.Now().UnixNano(), 36))
	return err
}

func (b *Bus) publish(ctx context.Context, t plan.Task, id string) (uint64, bool, error) {
	data, err := json.Marshal(t)
	if err != nil {
		return 0, false, fmt.Errorf("bus: encode task %s: %w", t.ID(), err)
	}
	ack, err := b.js.Publish(ctx, taskSubject(t.Job, t.Year, t.Scenario, t.Block), data,
		jetstream.WithMsgID(id), jetstream.WithExpectStream(TaskStream))
	if err != nil {
		return 0, false, fmt.Errorf("bus: publish task %s: %w", t.ID(), err)
	}
	return ack.Sequence, ack.Duplicate, nil
}

// Queued reports whether the task stream holds t's task of t's run:
// waiting for a worker or being worked on.
func (b *Bus) Queued(ctx context.Context, t plan.Task) (bool, error) {
	msg, err := b.tasks.GetLastMsgForSubject(ctx, taskSubject(t.Job, t.Year, t.Scenario, t.Block))
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("bus: look for task %s: %w", t.ID(), err)
	}
	var held plan.Task
	if json.Unmarshal(msg.Data, &held) != nil {
		return false, nil
	}
	return held.Run == t.Run, nil
}

// PurgeTasks removes every task of job still queued or being worked on,
// of any run. A worker holding one may still finish it, but its answer
// then finds nothing to acknowledge.
func (b *Bus) PurgeTasks(ctx context.Context, job string) error {
	if err := b.tasks.Purge(ctx, jetstream.WithPurgeSubject(jobTasks(job))); err != nil {
		return fmt.Errorf("bus: purge tasks of %s: %w", job, err)
	}
	return nil
}

// Delivery is a task handed to this worker. Exactly one of Ack, Nak, Retry
// and Term answers it; until then KeepAlive tells the server it is being
// worked on.
type Delivery struct {
	Task    plan.Task
	Attempt int // 1 on the first delivery
	Seq     uint64

	msg jetstream.Msg
}

// pollWait bounds one pull request, so that a worker whose connection
// drops does not leave a request pending on the server for long.
const pollWait = 30 * time.Second

// Next waits for the next task of any job and returns it. It returns
// ctx's error when ctx ends first, and an error wrapping ErrBadTask for a
// message that is not a task (terminated, so that it is not delivered
// again).
func (b *Bus) Next(ctx context.Context) (*Delivery, error) {
	for {
		if err := ended(ctx); err != nil {
			return nil, err
		}
		pollCtx, cancel := context.WithTimeout(ctx, pollWait)
		msg, err := b.workers.Next(jetstream.FetchContext(pollCtx))
		cancel()
		switch {
		case err == nil:
		case ended(ctx) != nil:
			return nil, ended(ctx)
		case errors.Is(err, nats.ErrTimeout), errors.Is(err, context.DeadlineExceeded):
			continue
		default:
			return nil, fmt.Errorf("bus: next task: %w", err)
		}
		return decodeDelivery(msg)
	}
}

// ended is ctx's error, or DeadlineExceeded once its deadline has passed
// even if its timer has not fired yet.
func ended(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if d, ok := ctx.Deadline(); ok && !time.Now().Before(d) {
		return context.DeadlineExceeded
	}
	return nil
}

func decodeDelivery(msg jetstream.Msg) (*Delivery, error) {
	d := &Delivery{msg: msg}
	if md, err := msg.Metadata(); err == nil {
		d.Attempt = int(md.NumDelivered)
		d.Seq = md.Sequence.Stream
	}
	if err := json.Unmarshal(msg.Data(), &d.Task); err != nil {
		msg.TermWithReason("not a task")
		return nil, fmt.Errorf("%w: subject %s, seq %d: %v", ErrBadTask, msg.Subject(), d.Seq, err)
	}
	return d, nil
}

// Ack tells the server the task is finished, and waits for its
// confirmation: after Ack returns nil the task is not handed out again.
func (d *Delivery) Ack(ctx context.Context) error {
	if err := d.msg.DoubleAck(ctx); err != nil {
		return fmt.Errorf("bus: ack %s: %w", d.Task.ID(), err)
	}
	return nil
}

// Nak gives the task back to be handed out again at once, to this worker
// or another; it counts as a delivery.
func (d *Delivery) Nak() error {
	if err := d.msg.Nak(); err != nil {
		return fmt.Errorf("bus: nak %s: %w", d.Task.ID(), err)
	}
	return nil
}

// Retry gives the task back to be handed out again after delay, for an
// error that may pass (a store that is down); it counts as a delivery.
func (d *Delivery) Retry(delay time.Duration) error {
	if err := d.msg.NakWithDelay(delay); err != nil {
		return fmt.Errorf("bus: retry %s: %w", d.Task.ID(), err)
	}
	return nil
}

// Term tells the server never to hand the task out again, with the reason.
func (d *Delivery) Term(reason string) error {
	if err := d.msg.TermWithReason(reason); err != nil {
		return fmt.Errorf("bus: term %s: %w", d.Task.ID(), err)
	}
	return nil
}

// KeepAlive signals progress every interval until ctx ends or the returned
// stop is called, so that a long solve does not outlive AckWait. An
// interval of a third of AckWait leaves room for a late signal. stop waits
// for the signalling to end and may be called more than once.
func (d *Delivery) KeepAlive(ctx context.Context, interval time.Duration) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(interval)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				// A lost signal is not fatal: the next one may pass, and
				// at worst the task is handed out again.
				_ = d.msg.InProgress()
			}
		}
	}()
	return func() { cancel(); <-done }
}
