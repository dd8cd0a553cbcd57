//go:build unix

package clustertest

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// proc is a process started by a test, with its output collected.
type proc struct {
	name string
	cmd  *exec.Cmd
	out  *logBuffer
	done chan struct{} // closed when the process has exited
	code int           // exit status, valid once done; -1 when killed
}

// logBuffer collects a process's output. It is safe for concurrent use.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// start starts a binary with the environment env added to the test's, and
// kills it when the test ends, logging its output if the test failed.
func start(t *testing.T, name, binName string, env []string, args ...string) *proc {
	t.Helper()
	cmd := exec.Command(binary(binName), args...)
	cmd.Env = append(os.Environ(), env...)
	p := &proc{name: name, cmd: cmd, out: &logBuffer{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = p.out, p.out
	setDeathSignal(cmd)
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	go func() {
		err := cmd.Wait()
		p.code = cmd.ProcessState.ExitCode()
		if err != nil && p.code == 0 {
			p.code = -1
		}
		close(p.done)
	}()
	t.Cleanup(func() {
		p.kill()
		if t.Failed() {
			t.Logf("--- output of %s (%s):\n%s", name, strings.Join(args, " "), tail(p.out.String(), 6000))
		}
	})
	return p
}

// tail is the end of s, at most n bytes.
func tail(s string, n int) string {
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}

// kill kills the process, as a crash would, and waits for it.
func (p *proc) kill() {
	p.cmd.Process.Kill()
	<-p.done
}

// signal sends sig to the process.
func (p *proc) signal(t *testing.T, sig syscall.Signal) {
	t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		t.Fatalf("signal %s to %s: %v", sig, p.name, err)
	}
}

// wait waits for the process to exit and returns its exit status.
func (p *proc) wait(t *testing.T, d time.Duration) int {
	t.Helper()
	select {
	case <-p.done:
		return p.code
	case <-time.After(d):
		t.Fatalf("%s still running after %s", p.name, d)
		return 0
	}
}

// waitFor waits until the process's output matches re, and returns the
// first match's submatches.
func (p *proc) waitFor(t *testing.T, re *regexp.Regexp, d time.Duration) []string {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		if m := re.FindStringSubmatch(p.out.String()); m != nil {
			return m
		}
		select {
		case <-p.done:
			if m := re.FindStringSubmatch(p.out.String()); m != nil {
				return m
			}
			t.Fatalf("%s exited (status %d) before its output matched %s", p.name, p.code, re)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: no output matching %s within %s", p.name, re, d)
		}
	}
}

// count is the number of matches of re in the process's output.
func (p *proc) count(re *regexp.Regexp) int {
	return len(re.FindAllString(p.out.String(), -1))
}

// freePort returns a TCP port of 127.0.0.1 that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// waitPort waits until something accepts connections at addr.
func waitPort(t *testing.T, addr string, d time.Duration) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("nothing listens at %s after %s: %v", addr, d, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// taskStarted matches a worker's log line of a task started, giving the
// task and the attempt.
var taskStarted = regexp.MustCompile(`msg="task started" task=(\S+) attempt=(\d+)`)

// startedOf matches the start of one task on any attempt.
func startedOf(task string) *regexp.Regexp {
	return regexp.MustCompile(`msg="task started" task=` + regexp.QuoteMeta(task) + ` attempt=(\d+)`)
}

// startedAttempt matches the start of one task on one attempt.
func startedAttempt(task string, attempt int) *regexp.Regexp {
	return regexp.MustCompile(fmt.Sprintf(`msg="task started" task=%s attempt=%d\b`, regexp.QuoteMeta(task), attempt))
}
