package browsertest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sync"
	"time"
)

// Options configure Start. The zero value is ready to use.
type Options struct {
	// Path is the browser's executable. Default: what Find returns.
	Path string
	// Width and Height are the viewport, in CSS pixels. Default: 1400
	// by 900.
	Width, Height int
}

// candidates are the executables Find looks for on PATH, in order.
var candidates = []string{"chromium", "chromium-browser", "google-chrome-stable", "google-chrome"}

// Find returns the path of a Chromium executable: $MRIOFLOW_CHROMIUM
// when set, else the first of chromium, chromium-browser,
// google-chrome-stable and google-chrome on PATH. It returns an error
// when there is none.
func Find() (string, error) {
	if p := os.Getenv("MRIOFLOW_CHROMIUM"); p != "" {
		return exec.LookPath(p)
	}
	for _, name := range candidates {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("browsertest: no browser: none of %v on PATH and MRIOFLOW_CHROMIUM unset", candidates)
}

// flags keep the browser headless, quiet and off the network.
var flags = []string{
	"--headless",
	"--remote-debugging-pipe",
	"--no-sandbox",
	"--disable-gpu",
	"--disable-background-networking",
	"--disable-component-update",
	"--disable-sync",
	"--disable-default-apps",
	"--disable-extensions",
	"--disable-domain-reliability",
	"--disable-client-side-phishing-detection",
	"--disable-breakpad",
	"--no-first-run",
	"--no-default-browser-check",
	"--no-pings",
	"--mute-audio",
	"--hide-scrollbars",
	// Every host name fails to resolve: a page cannot reach out.
	"--host-resolver-rules=MAP * ~NOTFOUND",
}

// Browser is a running headless Chromium.
type Browser struct {
	cmd     *exec.Cmd
	conn    *conn
	profile string
	opts    Options
	stderr  *tailBuffer
	waited  chan struct{}
}

// Start runs a headless browser with a fresh profile in a temporary
// folder. It returns an error when the browser cannot be found or
// started, or does not answer within ctx.
func Start(ctx context.Context, opts Options) (*Browser, error) {
	if opts.Path == "" {
		p, err := Find()
		if err != nil {
			return nil, err
		}
		opts.Path = p
	}
	if opts.Width == 0 {
		opts.Width = 1400
	}
	if opts.Height == 0 {
		opts.Height = 900
	}
	profile, err := os.MkdirTemp("", "browsertest-profile-")
	if err != nil {
		return nil, fmt.Errorf("browsertest: %w", err)
	}
	// The browser reads commands from its descriptor 3 and writes to 4.
	cmdR, cmdW, err := os.Pipe()
	if err != nil {
		os.RemoveAll(profile)
		return nil, fmt.Errorf("browsertest: %w", err)
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		cmdR.Close()
		cmdW.Close()
		os.RemoveAll(profile)
		return nil, fmt.Errorf("browsertest: %w", err)
	}
	args := append(append([]string{}, flags...),
		"--user-data-dir="+profile,
		fmt.Sprintf("--window-size=%d,%d", opts.Width, opts.Height),
		"about:blank")
	cmd := exec.Command(opts.Path, args...)
	cmd.ExtraFiles = []*os.File{cmdR, outW}
	stderr := &tailBuffer{max: 16 << 10}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		for _, f := range []*os.File{cmdR, cmdW, outR, outW} {
			f.Close()
		}
		os.RemoveAll(profile)
		return nil, fmt.Errorf("browsertest: starting %s: %w", opts.Path, err)
	}
	// The child holds its own copies now.
	cmdR.Close()
	outW.Close()
	b := &Browser{cmd: cmd, profile: profile, opts: opts, stderr: stderr, waited: make(chan struct{})}
	b.conn = newConn(cmdW, outR)
	go func() {
		cmd.Wait()
		close(b.waited)
	}()
	var version struct {
		Product string `json:"product"`
	}
	if err := b.conn.call(ctx, "", "Browser.getVersion", nil, &version); err != nil {
		b.Close()
		return nil, fmt.Errorf("browsertest: %s does not answer: %w; its stderr ends:\n%s", opts.Path, err, stderr.String())
	}
	return b, nil
}

// Close ends the browser: politely, then by killing its process when it
// has not gone within five seconds. It removes the profile folder.
func (b *Browser) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = b.conn.call(ctx, "", "Browser.close", nil, nil)
	var err error
	select {
	case <-b.waited:
	case <-ctx.Done():
		err = errors.New("browsertest: the browser did not close; killed")
		b.cmd.Process.Kill()
		<-b.waited
	}
	b.conn.close()
	if rerr := os.RemoveAll(b.profile); err == nil && rerr != nil {
		err = fmt.Errorf("browsertest: %w", rerr)
	}
	return err
}

// Stderr returns the end of what the browser wrote on its standard
// error: useful when it misbehaves.
func (b *Browser) Stderr() string { return b.stderr.String() }

// conn is one end of the protocol's pipes. Calls may come from several
// goroutines; one reader goroutine hands out answers and events.
type conn struct {
	w io.WriteCloser
	r io.Closer

	mu      sync.Mutex // guards the fields below
	next    int
	waiting map[int]chan message
	pages   map[string]*Page // by session
	err     error            // why reading stopped
	done    chan struct{}    // closed when reading stops
}

// message is any protocol message: a call, an answer or an event.
type message struct {
	ID        int             `json:"id,omitempty"`
	Method    string          `json:"method,omitempty"`
	Params    json.RawMessage `json:"params,omitempty"`
	Result    json.RawMessage `json:"result,omitempty"`
	Error     *protocolError  `json:"error,omitempty"`
	SessionID string          `json:"sessionId,omitempty"`
}

type protocolError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Data    string `json:"data,omitempty"`
}

func (e *protocolError) Error() string {
	if e.Data != "" {
		return fmt.Sprintf("%s (%d): %s", e.Message, e.Code, e.Data)
	}
	return fmt.Sprintf("%s (%d)", e.Message, e.Code)
}

func newConn(w io.WriteCloser, r io.ReadCloser) *conn {
	c := &conn{w: w, r: r, waiting: make(map[int]chan message), pages: make(map[string]*Page), done: make(chan struct{})}
	go c.read(r)
	return c
}

func (c *conn) read(r io.Reader) {
	br := bufio.NewReaderSize(r, 1<<20)
	var err error
	for {
		var raw []byte
		raw, err = br.ReadBytes(0)
		if err != nil {
			break
		}
		var m message
		if err = json.Unmarshal(raw[:len(raw)-1], &m); err != nil {
			err = fmt.Errorf("browsertest: bad message from the browser: %w", err)
			break
		}
		c.mu.Lock()
		if m.ID != 0 {
			if ch, ok := c.waiting[m.ID]; ok {
				delete(c.waiting, m.ID)
				ch <- m
			}
		} else if p := c.pages[m.SessionID]; p != nil {
			p.event(m.Method, m.Params)
		}
		c.mu.Unlock()
	}
	c.mu.Lock()
	c.err = err
	close(c.done)
	c.mu.Unlock()
}

// call sends method with params to session ("" for the browser) and
// decodes the answer into result, when not nil.
func (c *conn) call(ctx context.Context, session, method string, params, result any) error {
	c.mu.Lock()
	select {
	case <-c.done:
		err := c.err
		c.mu.Unlock()
		return fmt.Errorf("browsertest: %s: the browser is gone: %w", method, err)
	default:
	}
	c.next++
	id := c.next
	ch := make(chan message, 1)
	c.waiting[id] = ch
	c.mu.Unlock()

	m := message{ID: id, Method: method, SessionID: session}
	if params != nil {
		p, err := json.Marshal(params)
		if err != nil {
			panic(fmt.Sprintf("browsertest: parameters of %s: %v", method, err))
		}
		m.Params = p
	}
	data, err := json.Marshal(m)
	if err != nil {
		panic(fmt.Sprintf("browsertest: message %s: %v", method, err))
	}
	if _, err := c.w.Write(append(data, 0)); err != nil {
		c.forget(id)
		return fmt.Errorf("browsertest: %s: %w", method, err)
	}
	select {
	case ans := <-ch:
		if ans.Error != nil {
			return fmt.Errorf("browsertest: %s: %w", method, ans.Error)
		}
		if result != nil {
			if err := json.Unmarshal(ans.Result, result); err != nil {
				return fmt.Errorf("browsertest: %s: answer: %w", method, err)
			}
		}
		return nil
	case <-c.done:
		return fmt.Errorf("browsertest: %s: the browser is gone: %w", method, c.err)
	case <-ctx.Done():
		c.forget(id)
		return fmt.Errorf("browsertest: %s: %w", method, ctx.Err())
	}
}

func (c *conn) forget(id int) {
	c.mu.Lock()
	delete(c.waiting, id)
	c.mu.Unlock()
}

func (c *conn) close() {
	c.w.Close()
	c.r.Close()
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
	max int
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf.Write(p)
	if over := t.buf.Len() - t.max; over > 0 {
		t.buf.Next(over)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.buf.String()
}
