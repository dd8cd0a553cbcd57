package bus

import (
	"context"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// The names of what the bus keeps on the server.
const (
	// TaskStream is the work-queue stream of tasks, one subject per job:
	// mrioflow.tasks.<job>. A task leaves it when a worker acknowledges it.
	TaskStream = "MRIOFLOW_TASKS"
	// WorkerConsumer is the durable pull consumer every worker shares.
	WorkerConsumer = "MRIOFLOW_WORKERS"
	// EventStream holds the reports of workers, one subject per run:
	// mrioflow.events.<job>.<run>.
	EventStream = "MRIOFLOW_EVENTS"
	// StateBucket is the key-value bucket of job and task states.
	StateBucket = "MRIOFLOW_JOBS"

	taskSubjects  = "mrioflow.tasks.>"
	eventSubjects = "mrioflow.events.>"
)

// Options configure a connection. The zero value is usable; each field
// documents its default.
type Options struct {
	// Name is the client name the server shows. Default "mrioflow".
	Name string

	// AckWait is how long a worker may hold a task without a sign of life
	// before it goes to another worker. Workers send progress signals at a
	// third of it. Default 2 minutes.
	AckWait time.Duration
	// MaxDeliver is how many times a task is handed out before it is given
	// up. Default 3.
	MaxDeliver int
	// Duplicates is the window in which a task published twice is kept
	// once. Default 2 minutes.
	Duplicates time.Duration
	// EventsMaxAge is how long reports stay in the event stream. Default
	// 24 hours.
	EventsMaxAge time.Duration

	// Credentials; leave empty for none. User and Password go together;
	// CredsFile is a JWT credentials file, NKeyFile an nkey seed file and
	// RootCA a PEM file of the certificate authority for TLS.
	User, Password, Token, CredsFile, NKeyFile, RootCA string
}

func (o Options) withDefaults() Options {
	if o.Name == "" {
		o.Name = "mrioflow"
	}
	if o.AckWait == 0 {
		o.AckWait = 2 * time.Minute
	}
	if o.MaxDeliver == 0 {
		o.MaxDeliver = 3
	}
	if o.Duplicates == 0 {
		o.Duplicates = 2 * time.Minute
	}
	if o.EventsMaxAge == 0 {
		o.EventsMaxAge = 24 * time.Hour
	}
	return o
}

// natsOptions turns the credentials into connection options.
func (o Options) natsOptions() ([]nats.Option, error) {
	opts := []nats.Option{nats.Name(o.Name), nats.MaxReconnects(-1)}
	if o.User != "" || o.Password != "" {
		opts = append(opts, nats.UserInfo(o.User, o.Password))
	}
	if o.Token != "" {
		opts = append(opts, nats.Token(o.Token))
	}
	if o.CredsFile != "" {
		opts = append(opts, nats.UserCredentials(o.CredsFile))
	}
	if o.NKeyFile != "" {
		opt, err := nats.NkeyOptionFromSeed(o.NKeyFile)
		if err != nil {
			return nil, fmt.Errorf("bus: nkey %s: %w", o.NKeyFile, err)
		}
		opts = append(opts, opt)
	}
	if o.RootCA != "" {
		opts = append(opts, nats.RootCAs(o.RootCA))
	}
	return opts, nil
}

// Bus is a connection to NATS with the streams, the worker consumer and
// the state bucket in place. A Bus is safe for concurrent use.
type Bus struct {
	opts    Options
	nc      *nats.Conn
	js      jetstream.JetStream
	tasks   jetstream.Stream
	workers jetstream.Consumer
	state   jetstream.KeyValue
}

// Connect connects to the server at url and creates, or updates to these
// options, the task and event streams, the worker consumer and the state
// bucket. It returns an error when the server cannot be reached within
// ctx (ten seconds when ctx has no deadline), refuses the credentials or
// has no JetStream.
func Connect(ctx context.Context, url string, opts Options) (*Bus, error) {
	opts = opts.withDefaults()
	ctx, cancel := withDefaultTimeout(ctx, 10*time.Second)
	defer cancel()

	nopts, err := opts.natsOptions()
	if err != nil {
		return nil, err
	}
	if d, ok := ctx.Deadline(); ok {
		nopts = append(nopts, nats.Timeout(time.Until(d)))
	}
	nc, err := nats.Connect(url, nopts...)
	if err != nil {
		return nil, fmt.Errorf("bus: connect %s: %w", url, err)
	}
	b := &Bus{opts: opts, nc: nc}
	if err := b.setup(ctx); err != nil {
		nc.Close()
		return nil, fmt.Errorf("bus: %s: %w", url, err)
	}
	return b, nil
}

func (b *Bus) setup(ctx context.Context) error {
	js, err := jetstream.New(b.nc)
	if err != nil {
		return fmt.Errorf("jetstream: %w", err)
	}
	b.js = js
	b.tasks, err = js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:        TaskStream,
		Description: "mrioflow tasks, one subject per job",
		Subjects:    []string{taskSubjects},
		Retention:   jetstream.WorkQueuePolicy,
		Storage:     jetstream.FileStorage,
		Duplicates:  b.opts.Duplicates,
	})
	if err != nil {
		return fmt.Errorf("stream %s: %w", TaskStream, err)
	}
	b.workers, err = js.CreateOrUpdateConsumer(ctx, TaskStream, jetstream.ConsumerConfig{
		Durable:       WorkerConsumer,
		Description:   "mrioflow workers",
		FilterSubject: taskSubjects,
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       b.opts.AckWait,
		MaxDeliver:    b.opts.MaxDeliver,
	})
	if err != nil {
		return fmt.Errorf("consumer %s: %w", WorkerConsumer, err)
	}
	_, err = js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:        EventStream,
		Description: "mrioflow task reports, one subject per run",
		Subjects:    []string{eventSubjects},
		Retention:   jetstream.LimitsPolicy,
		Storage:     jetstream.FileStorage,
		MaxAge:      b.opts.EventsMaxAge,
	})
	if err != nil {
		return fmt.Errorf("stream %s: %w", EventStream, err)
	}
	b.state, err = js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket:      StateBucket,
		Description: "mrioflow job and task states",
		History:     1,
		Storage:     jetstream.FileStorage,
	})
	if err != nil {
		return fmt.Errorf("bucket %s: %w", StateBucket, err)
	}
	return nil
}

// Close closes the connection. A task delivered and not yet answered is
// handed out again after AckWait.
func (b *Bus) Close() { b.nc.Close() }

// Options returns the options in effect, defaults filled in.
func (b *Bus) Options() Options { return b.opts }

// withDefaultTimeout adds a timeout to ctx unless it has a deadline.
func withDefaultTimeout(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, d)
}
