package testenv

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"go/build"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// RequireS3 is the environment variable that turns a missing versitygw
// binary from a skip into a failure.
const RequireS3 = "MRIOFLOW_REQUIRE_S3"

// startTimeout bounds how long a server may take to answer.
const startTimeout = 20 * time.Second

// S3Server is a versitygw process serving Dir over S3 at Endpoint.
// Its methods are safe for concurrent use.
type S3Server struct {
	Endpoint  string // http://127.0.0.1:PORT
	AccessKey string
	SecretKey string
	Bucket    string // created empty by StartS3
	Dir       string // the folder behind the gateway; buckets are its subfolders

	t    testing.TB
	bin  string
	addr string

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{} // closed when cmd has exited
	log  *lockedBuffer
}

// S3 starts a server with one empty bucket and returns how to reach it.
// See StartS3.
func S3(t testing.TB) (endpoint, access, secret, bucket string) {
	t.Helper()
	s := StartS3(t)
	return s.Endpoint, s.AccessKey, s.SecretKey, s.Bucket
}

// StartS3 starts versitygw on a free port of 127.0.0.1, over a temporary
// folder, with fresh random keys, creates an empty bucket and registers
// Stop as a cleanup. It skips the test when the binary is missing, or
// fails it when RequireS3 is set to 1.
func StartS3(t testing.TB) *S3Server {
	t.Helper()
	bin, err := findVersityGW()
	if err != nil {
		if os.Getenv(RequireS3) == "1" {
			t.Fatalf("testenv: %v (and %s=1)", err, RequireS3)
		}
		t.Skipf("testenv: %v; set %s=1 to fail instead", err, RequireS3)
	}
	port, err := freePort()
	if err != nil {
		t.Fatalf("testenv: %v", err)
	}
	s := &S3Server{
		AccessKey: "mrioflow-" + randomHex(4),
		SecretKey: randomHex(20),
		Bucket:    "mrioflow-test",
		Dir:       t.TempDir(),
		t:         t,
		bin:       bin,
		addr:      fmt.Sprintf("127.0.0.1:%d", port),
		log:       &lockedBuffer{},
	}
	s.Endpoint = "http://" + s.addr
	t.Cleanup(s.Stop)
	s.Start()

	client, err := minio.New(s.addr, &minio.Options{
		Creds:        credentials.NewStaticV4(s.AccessKey, s.SecretKey, ""),
		BucketLookup: minio.BucketLookupPath,
	})
	if err != nil {
		t.Fatalf("testenv: client: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	if err := client.MakeBucket(ctx, s.Bucket, minio.MakeBucketOptions{}); err != nil {
		t.Fatalf("testenv: create bucket %q: %v\n%s", s.Bucket, err, s.log.tail())
	}
	return s
}

// Start starts the server again after Stop, on the same port and folder,
// and waits until it answers. Starting a running server does nothing.
func (s *S3Server) Start() {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd != nil {
		return
	}
	cmd := exec.Command(s.bin,
		"--access", s.AccessKey,
		"--secret", s.SecretKey,
		"--port", s.addr,
		"--quiet",
		"posix", s.Dir)
	cmd.Stdout = s.log
	cmd.Stderr = s.log
	cmd.Env = gatewayEnv()
	setDeathSignal(cmd)
	if err := cmd.Start(); err != nil {
		s.t.Fatalf("testenv: start %s: %v", s.bin, err)
	}
	done := make(chan struct{})
	go func() {
		cmd.Wait()
		close(done)
	}()
	s.cmd, s.done = cmd, done
	if err := waitAnswers(s.Endpoint, done); err != nil {
		s.stopLocked()
		s.t.Fatalf("testenv: versitygw at %s: %v\n%s", s.addr, err, s.log.tail())
	}
}

// Stop kills the server, as a crash or an outage would, and waits until
// it has exited. Its folder stays. Stopping a stopped server does nothing.
func (s *S3Server) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stopLocked()
}

func (s *S3Server) stopLocked() {
	if s.cmd == nil {
		return
	}
	s.cmd.Process.Kill()
	<-s.done
	s.cmd, s.done = nil, nil
}

// gatewayEnv is the environment of the gateway: ours, less the variables
// versitygw reads as settings, so that nothing outside the test changes it.
func gatewayEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "VGW_") || strings.HasPrefix(name, "ROOT_") {
			continue
		}
		env = append(env, kv)
	}
	return env
}

// waitAnswers polls endpoint until it answers HTTP, the process exits, or
// startTimeout passes.
func waitAnswers(endpoint string, exited <-chan struct{}) error {
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(startTimeout)
	for {
		resp, err := client.Get(endpoint + "/")
		if err == nil {
			resp.Body.Close()
			return nil
		}
		select {
		case <-exited:
			return errors.New("exited before answering")
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("no answer within %s: %w", startTimeout, err)
		}
	}
}

// findVersityGW looks for the versitygw binary on PATH, then in the bin
// folder of GOPATH, where go install puts it.
func findVersityGW() (string, error) {
	const name = "versitygw"
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	gopath := build.Default.GOPATH
	if out, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
		if p := strings.TrimSpace(string(out)); p != "" {
			gopath = p
		}
	}
	for _, dir := range filepath.SplitList(gopath) {
		p := filepath.Join(dir, "bin", name)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s not found on PATH or in GOPATH/bin (go install github.com/versity/versitygw/cmd/versitygw@v1.8.0)", name)
}

// freePort returns a TCP port of 127.0.0.1 that was free a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// lockedBuffer collects the server's output for error messages.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// tail returns the last lines of the output, for a failure message.
func (b *lockedBuffer) tail() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.buf.String()
	if len(s) > 4000 {
		s = "..." + s[len(s)-4000:]
	}
	if s == "" {
		return "(versitygw wrote nothing)"
	}
	return "versitygw output:\n" + s
}
