package browsertest

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"
)

// Page is one tab of a Browser, attached through its own session.
type Page struct {
	b       *Browser
	target  string
	session string

	mu       sync.Mutex // guards the fields below
	messages []Message
	requests []string
}

// Message is a console message, a log entry or an uncaught exception
// the page produced.
type Message struct {
	// Source is "console", "exception", or the log entry's source
	// ("network", "security", "javascript", ...).
	Source string
	// Level is "error", "warning", "info", "log", "debug" or "verbose".
	Level string
	Text  string
	URL   string
}

func (m Message) String() string {
	s := fmt.Sprintf("%s %s: %s", m.Source, m.Level, m.Text)
	if m.URL != "" {
		s += " (" + m.URL + ")"
	}
	return s
}

// Rect is a rectangle of a page, in CSS pixels from the top left corner
// of the document.
type Rect struct {
	X      float64 `json:"x"`
	Y      float64 `json:"y"`
	Width  float64 `json:"width"`
	Height float64 `json:"height"`
}

// Open makes a new tab, loads url in it and waits until its document is
// complete. It returns an error when the browser fails or ctx ends
// first; a page that loads with errors is not an error: see Messages.
func (b *Browser) Open(ctx context.Context, url string) (*Page, error) {
	var target struct {
		TargetID string `json:"targetId"`
	}
	if err := b.conn.call(ctx, "", "Target.createTarget", map[string]any{"url": "about:blank"}, &target); err != nil {
		return nil, err
	}
	var attached struct {
		SessionID string `json:"sessionId"`
	}
	if err := b.conn.call(ctx, "", "Target.attachToTarget", map[string]any{"targetId": target.TargetID, "flatten": true}, &attached); err != nil {
		return nil, err
	}
	p := &Page{b: b, target: target.TargetID, session: attached.SessionID}
	b.conn.mu.Lock()
	b.conn.pages[p.session] = p
	b.conn.mu.Unlock()

	steps := []struct {
		method string
		params any
	}{
		{"Runtime.enable", nil},
		{"Log.enable", nil},
		{"Network.enable", nil},
		{"Page.enable", nil},
		{"Emulation.setDeviceMetricsOverride", map[string]any{
			"width": b.opts.Width, "height": b.opts.Height, "deviceScaleFactor": 1, "mobile": false}},
		{"Page.navigate", map[string]any{"url": url}},
	}
	for _, s := range steps {
		if err := p.call(ctx, s.method, s.params, nil); err != nil {
			p.Close()
			return nil, err
		}
	}
	// Wait for the new document: about:blank is complete too, so the
	// URL must have changed.
	for {
		var state struct{ Ready, URL string }
		err := p.Eval(ctx, `({Ready: document.readyState, URL: location.href})`, &state)
		if err == nil && state.Ready == "complete" && state.URL != "about:blank" {
			return p, nil
		}
		select {
		case <-ctx.Done():
			p.Close()
			return nil, fmt.Errorf("browsertest: loading %s: %w (last state %+v, %v)", url, ctx.Err(), state, err)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// Close closes the tab.
func (p *Page) Close() error {
	p.b.conn.mu.Lock()
	delete(p.b.conn.pages, p.session)
	p.b.conn.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return p.b.conn.call(ctx, "", "Target.closeTarget", map[string]any{"targetId": p.target}, nil)
}

func (p *Page) call(ctx context.Context, method string, params, result any) error {
	return p.b.conn.call(ctx, p.session, method, params, result)
}

// Eval evaluates a JavaScript expression in the page, waiting for a
// promise it returns, and decodes its value, as JSON, into out (when
// not nil). An exception thrown is an error.
func (p *Page) Eval(ctx context.Context, expr string, out any) error {
	var res struct {
		Result struct {
			Value json.RawMessage `json:"value"`
		} `json:"result"`
		ExceptionDetails *struct {
			Text      string `json:"text"`
			Exception struct {
				Description string `json:"description"`
			} `json:"exception"`
		} `json:"exceptionDetails"`
	}
	err := p.call(ctx, "Runtime.evaluate", map[string]any{
		"expression": expr, "returnByValue": true, "awaitPromise": true}, &res)
	if err != nil {
		return err
	}
	if e := res.ExceptionDetails; e != nil {
		return fmt.Errorf("browsertest: evaluating %.60q: %s %s", expr, e.Text, e.Exception.Description)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(res.Result.Value, out); err != nil {
		return fmt.Errorf("browsertest: evaluating %.60q: value: %w", expr, err)
	}
	return nil
}

// Screenshot returns a PNG of the rectangle r of the page, scrolled or
// not, at one device pixel per CSS pixel. A zero r takes the whole
// document.
func (p *Page) Screenshot(ctx context.Context, r Rect) ([]byte, error) {
	if r == (Rect{}) {
		if err := p.Eval(ctx, `({x: 0, y: 0,
			width: document.documentElement.scrollWidth,
			height: document.documentElement.scrollHeight})`, &r); err != nil {
			return nil, err
		}
	}
	var shot struct {
		Data string `json:"data"`
	}
	err := p.call(ctx, "Page.captureScreenshot", map[string]any{
		"format":                "png",
		"captureBeyondViewport": true,
		"clip":                  map[string]any{"x": r.X, "y": r.Y, "width": r.Width, "height": r.Height, "scale": 1},
	}, &shot)
	if err != nil {
		return nil, err
	}
	png, err := base64.StdEncoding.DecodeString(shot.Data)
	if err != nil {
		return nil, fmt.Errorf("browsertest: screenshot: %w", err)
	}
	return png, nil
}

// Messages returns the console messages, log entries and uncaught
// exceptions seen so far, in order.
func (p *Page) Messages() []Message {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Message(nil), p.messages...)
}

// Errors returns the Messages at level "error".
func (p *Page) Errors() []Message {
	var errs []Message
	for _, m := range p.Messages() {
		if m.Level == "error" {
			errs = append(errs, m)
		}
	}
	return errs
}

// Requests returns the URL of every request the page made, in order.
func (p *Page) Requests() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.requests...)
}

// event records what the page reports. It runs on the reading
// goroutine, so it must not call the browser.
func (p *Page) event(method string, params json.RawMessage) {
	var m *Message
	switch method {
	case "Runtime.consoleAPICalled":
		var e struct {
			Type string `json:"type"`
			Args []struct {
				Value       any    `json:"value"`
				Description string `json:"description"`
			} `json:"args"`
		}
		if json.Unmarshal(params, &e) != nil {
			return
		}
		var parts []string
		for _, a := range e.Args {
			if a.Value != nil {
				parts = append(parts, fmt.Sprint(a.Value))
			} else {
				parts = append(parts, a.Description)
			}
		}
		level := e.Type
		switch e.Type {
		case "warning", "error":
		case "assert":
			level = "error"
		default:
			level = "info"
		}
		m = &Message{Source: "console", Level: level, Text: strings.Join(parts, " ")}
	case "Runtime.exceptionThrown":
		var e struct {
			Details struct {
				Text      string `json:"text"`
				URL       string `json:"url"`
				Exception struct {
					Description string `json:"description"`
				} `json:"exception"`
			} `json:"exceptionDetails"`
		}
		if json.Unmarshal(params, &e) != nil {
			return
		}
		d := e.Details
		m = &Message{Source: "exception", Level: "error", Text: strings.TrimSpace(d.Text + " " + d.Exception.Description), URL: d.URL}
	case "Log.entryAdded":
		var e struct {
			Entry Message `json:"entry"`
		}
		if json.Unmarshal(params, &e) != nil {
			return
		}
		m = &e.Entry
	case "Network.requestWillBeSent":
		var e struct {
			Request struct {
				URL string `json:"url"`
			} `json:"request"`
		}
		if json.Unmarshal(params, &e) == nil {
			p.mu.Lock()
			p.requests = append(p.requests, e.Request.URL)
			p.mu.Unlock()
		}
		return
	default:
		return
	}
	p.mu.Lock()
	p.messages = append(p.messages, *m)
	p.mu.Unlock()
}
