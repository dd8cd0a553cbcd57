package bus

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// The names of what the bus keeps on the server; an operator inspects
// them with the nats CLI (nats stream info MRIOFLOW_TASKS, nats kv ls
// MRIOFLOW_JOB_STATE, ...).
const (
	// TaskStream is the work-queue stream of tasks, one subject per task:
	// mrioflow.tasks.<job>.<year>.<scenario>.<block>. A task leaves it
	// when a worker acknowledges or terminates it.
	TaskStream = "MRIOFLOW_TASKS"
	// WorkerConsumer is the durable pull consumer every worker shares.
	WorkerConsumer = "MRIOFLOW_WORKERS"
	// ReportStream holds the workers' reports on tasks, one subject per
	// run of a job: mrioflow.reports.<job>.<run>.
	ReportStream = "MRIOFLOW_REPORTS"
	// StateBucket is the key-value bucket of job states: <job> holds the
	// job's latest run, <job>.inputs.<run> the tables it checked,
	// <job>.task.<run>.<year>.<scenario>.<block> each task's state.
	StateBucket = "MRIOFLOW_JOB_STATE"
)

// Options configure a connection. The zero value is usable; each field
// documents its default.
type Options struct {
	// Name is the client name the server shows. Default "mrioflow".
	Name string

	// Bind leaves the streams, the consumer and the bucket as the server
	// has them, creating with these options only what is missing.
	// Workers bind; the coordinator, which sets AckWait for everyone,
	// does not.
	Bind bool
	// AckWait is how long a worker may hold a task without a sign of life
	// before it goes to another worker. Workers send progress signals at
	// a third of the consumer's AckWait. Default 2 minutes.
	AckWait time.Duration
	// Duplicates is the window in which a task or report published twice
	// is kept once. Default 10 minutes.
	Duplicates time.Duration
	// ReportsMaxAge is how long reports stay in the report stream; a job
	// resumed later than that is rebuilt from the state bucket alone.
	// Default 7 days.
	ReportsMaxAge time.Duration

	// Credentials; leave empty for none. User and Password go together;
	// CredsFile is a JWT credentials file, NKeyFile an nkey seed file and
	// RootCA a PEM file of the certificate authority for TLS.
	User, Password, Token, CredsFile, NKeyFile, RootCA string

	// OnConnection, when set, is told when the connection drops (with the
	// cause, nil when unknown) and when it is back (nil). It is called
	// from the client's own goroutine.
	OnConnection func(connected bool, err error)
}

func (o Options) withDefaults() Options {
	if o.Name == "" {
		o.Name = "mrioflow"
	}
	if o.AckWait == 0 {
		o.AckWait = 2 * time.Minute
	}
	if o.Duplicates == 0 {
		o.Duplicates = 10 * time.Minute
	}
	if o.ReportsMaxAge == 0 {
		o.ReportsMaxAge = 7 * 24 * time.Hour
	}
	return o
}

// natsOptions turns the options into connection options.
func (o Options) natsOptions() ([]nats.Option, error) {
	opts := []nats.Option{nats.Name(o.Name), nats.MaxReconnects(-1), nats.ReconnectWait(time.Second)}
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
	if cb := o.OnConnection; cb != nil {
		opts = append(opts,
			nats.DisconnectErrHandler(func(nc *nats.Conn, err error) {
				if !nc.IsClosed() { // not Close, which says goodbye too
					cb(false, err)
				}
			}),
			nats.ReconnectHandler(func(*nats.Conn) { cb(true, nil) }))
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
	reports jetstream.Stream
	workers jetstream.Consumer
	state   jetstream.KeyValue

	mu      sync.Mutex
	ackWait time.Duration // the consumer's, as last read
}

// ErrRefused is wrapped by Connect's error when the server refuses the
// credentials.
var ErrRefused = errors.New("the server refused the credentials")

// connectPause is the wait between attempts to reach a server that does
// not answer yet.
const connectPause = time.Second

// Connect connects to the server at url and puts in place the task and
// report streams, the worker consumer and the state bucket (see
// Options.Bind). A server that does not answer yet is tried again every
// second until ctx ends (ten seconds when ctx has no deadline). Connect
// returns an error wrapping ErrRefused, at once, when the server refuses
// the credentials, and an error when it has no JetStream. No error holds
// a password: url is shown without its user information.
func Connect(ctx context.Context, url string, opts Options) (*Bus, error) {
	opts = opts.withDefaults()
	ctx, cancel := withDefaultTimeout(ctx, 10*time.Second)
	defer cancel()
	shown := redactURL(url)

	nopts, err := opts.natsOptions()
	if err != nil {
		return nil, err
	}
	var nc *nats.Conn
	for {
		attempt := nopts
		if d, ok := ctx.Deadline(); ok {
			attempt = append(attempt[:len(attempt):len(attempt)], nats.Timeout(max(time.Until(d), time.Millisecond)))
		}
		nc, err = nats.Connect(url, attempt...)
		if err == nil {
			break
		}
		if refused(err) {
			return nil, fmt.Errorf("bus: %s: %w%s: %w", shown, ErrRefused, who(opts), err)
		}
		if !errors.Is(err, nats.ErrNoServers) {
			return nil, fmt.Errorf("bus: connect %s: %w", shown, err)
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("bus: connect %s: %w (gave up: %w)", shown, err, ctx.Err())
		case <-time.After(connectPause):
		}
	}
	b := &Bus{opts: opts, nc: nc, ackWait: opts.AckWait}
	if err := b.setup(ctx); err != nil {
		nc.Close()
		return nil, fmt.Errorf("bus: %s: %w", shown, err)
	}
	return b, nil
}

// refused reports whether err is the server turning the client away.
func refused(err error) bool {
	if errors.Is(err, nats.ErrAuthorization) || errors.Is(err, nats.ErrAuthExpired) || errors.Is(err, nats.ErrAuthRevoked) {
		return true
	}
	s := strings.ToLower(err.Error())
	return strings.Contains(s, "authorization violation") || strings.Contains(s, "authentication")
}

// who names the credentials tried, without a secret.
func who(o Options) string {
	switch {
	case o.User != "":
		return fmt.Sprintf(" (user %q)", o.User)
	case o.CredsFile != "":
		return " (credentials file " + o.CredsFile + ")"
	case o.NKeyFile != "":
		return " (nkey " + o.NKeyFile + ")"
	case o.Token != "":
		return " (token)"
	}
	return " (no credentials given)"
}

// redactURL shows a server URL, or a comma-separated list of them,
// without user information.
func redactURL(s string) string {
	parts := strings.Split(s, ",")
	for i, p := range parts {
		u, err := url.Parse(strings.TrimSpace(p))
		if err != nil {
			if strings.Contains(p, "@") {
				parts[i] = "(a URL with credentials)"
			}
			continue
		}
		if u.User != nil {
			u.User = url.User("xxx")
			parts[i] = u.String()
		}
	}
	return strings.Join(parts, ",")
}

// RedactURL is url with any user and password replaced, for logs.
func RedactURL(url string) string { return redactURL(url) }

func (b *Bus) setup(ctx context.Context) error {
	js, err := jetstream.New(b.nc)
	if err != nil {
		return fmt.Errorf("jetstream: %w", err)
	}
	b.js = js
	b.tasks, err = b.stream(ctx, jetstream.StreamConfig{
		Name:        TaskStream,
		Description: "mrioflow tasks: mrioflow.tasks.<job>.<year>.<scenario>.<block>",
		Subjects:    []string{taskSubjects},
		Retention:   jetstream.WorkQueuePolicy,
		Storage:     jetstream.FileStorage,
		Duplicates:  b.opts.Duplicates,
	})
	if err != nil {
		return err
	}
	cfg := jetstream.ConsumerConfig{
		Durable:       WorkerConsumer,
		Description:   "mrioflow workers",
		FilterSubject: taskSubjects,
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       b.opts.AckWait,
		// Workers count the deliveries themselves (plan.Task.MaxAttempts)
		// so that the last one reports why; the server never gives up
		// silently.
		MaxDeliver: -1,
	}
	if b.opts.Bind {
		b.workers, err = js.Consumer(ctx, TaskStream, WorkerConsumer)
		if errors.Is(err, jetstream.ErrConsumerNotFound) {
			b.workers, err = js.CreateConsumer(ctx, TaskStream, cfg)
			if errors.Is(err, jetstream.ErrConsumerExists) {
				b.workers, err = js.Consumer(ctx, TaskStream, WorkerConsumer)
			}
		}
	} else {
		b.workers, err = js.CreateOrUpdateConsumer(ctx, TaskStream, cfg)
	}
	if err != nil {
		return fmt.Errorf("consumer %s: %w", WorkerConsumer, err)
	}
	b.ackWait = b.workers.CachedInfo().Config.AckWait
	b.reports, err = b.stream(ctx, jetstream.StreamConfig{
		Name:        ReportStream,
		Description: "mrioflow reports on tasks: mrioflow.reports.<job>.<run>",
		Subjects:    []string{reportSubjects},
		Retention:   jetstream.LimitsPolicy,
		Storage:     jetstream.FileStorage,
		MaxAge:      b.opts.ReportsMaxAge,
		Duplicates:  b.opts.Duplicates,
	})
	if err != nil {
		return err
	}
	kvc := jetstream.KeyValueConfig{
		Bucket:      StateBucket,
		Description: "mrioflow job states",
		History:     1,
		Storage:     jetstream.FileStorage,
	}
	if b.opts.Bind {
		b.state, err = js.KeyValue(ctx, StateBucket)
		if errors.Is(err, jetstream.ErrBucketNotFound) {
			b.state, err = js.CreateKeyValue(ctx, kvc)
			if errors.Is(err, jetstream.ErrBucketExists) {
				b.state, err = js.KeyValue(ctx, StateBucket)
			}
		}
	} else {
		b.state, err = js.CreateOrUpdateKeyValue(ctx, kvc)
	}
	if err != nil {
		return fmt.Errorf("bucket %s: %w", StateBucket, err)
	}
	return nil
}

// stream returns the stream of cfg: as the server has it when binding,
// created or updated to cfg otherwise.
func (b *Bus) stream(ctx context.Context, cfg jetstream.StreamConfig) (jetstream.Stream, error) {
	var (
		s   jetstream.Stream
		err error
	)
	if b.opts.Bind {
		// Only created, never updated: a worker may not change what the
		// coordinator set up.
		s, err = b.js.Stream(ctx, cfg.Name)
		if errors.Is(err, jetstream.ErrStreamNotFound) {
			s, err = b.js.CreateStream(ctx, cfg)
			if errors.Is(err, jetstream.ErrStreamNameAlreadyInUse) {
				s, err = b.js.Stream(ctx, cfg.Name)
			}
		}
	} else {
		s, err = b.js.CreateOrUpdateStream(ctx, cfg)
	}
	if err != nil {
		return nil, fmt.Errorf("stream %s: %w", cfg.Name, err)
	}
	return s, nil
}

// Close closes the connection. A task delivered and not yet answered is
// handed out again after AckWait.
func (b *Bus) Close() { b.nc.Close() }

// Connected reports whether the connection is up now; it is down while
// the client reconnects. For readiness probes.
func (b *Bus) Connected() bool { return b.nc.IsConnected() }

// Options returns the options in effect, defaults filled in.
func (b *Bus) Options() Options { return b.opts }

// AckWait returns the worker consumer's AckWait as the server has it,
// asking the server again; when it cannot be asked, the value last read.
func (b *Bus) AckWait(ctx context.Context) time.Duration {
	info, err := b.workers.Info(ctx)
	b.mu.Lock()
	defer b.mu.Unlock()
	if err == nil && info.Config.AckWait > 0 {
		b.ackWait = info.Config.AckWait
	}
	return b.ackWait
}

// withDefaultTimeout adds a timeout to ctx unless it has a deadline.
func withDefaultTimeout(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, d)
}
