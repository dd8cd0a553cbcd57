package store

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
)

func TestRetryable(t *testing.T) {
	refused := &url.Error{Op: "Put", URL: "http://127.0.0.1:1/b/k",
		Err: &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}}
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"connection refused", refused, true},
		{"wrapped", fmt.Errorf("put: %w", refused), true},
		{"connection reset", syscall.ECONNRESET, true},
		{"503", minio.ErrorResponse{StatusCode: 503, Code: "ServiceUnavailable"}, true},
		{"500", minio.ErrorResponse{StatusCode: 500, Code: "InternalError"}, true},
		{"slow down", minio.ErrorResponse{StatusCode: 503, Code: "SlowDown"}, true},
		{"throttled", minio.ErrorResponse{StatusCode: 429}, true},
		{"missing key", minio.ErrorResponse{StatusCode: 404, Code: "NoSuchKey"}, false},
		{"denied", minio.ErrorResponse{StatusCode: 403, Code: "AccessDenied"}, false},
		{"unknown CA", &url.Error{Op: "Get", URL: "https://x", Err: x509.UnknownAuthorityError{}}, false},
		{"http to https", &url.Error{Op: "Get", URL: "https://x", Err: errors.New("http: server gave HTTP response to HTTPS client")}, false},
		{"plain error", errors.New("bad argument"), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := retryable(tc.err); got != tc.want {
				t.Errorf("retryable(%v) = %t, want %t", tc.err, got, tc.want)
			}
		})
	}
}

func TestRetry(t *testing.T) {
	transient := minio.ErrorResponse{StatusCode: 503, Code: "SlowDown"}
	final := minio.ErrorResponse{StatusCode: 403, Code: "AccessDenied"}
	tests := []struct {
		name    string
		fails   []error // errors of the first calls; then success
		budget  time.Duration
		calls   int
		wantErr error
		giveUp  bool
	}{
		{"success", nil, time.Minute, 1, nil, false},
		{"two transient", []error{transient, transient}, time.Minute, 3, nil, false},
		{"final at once", []error{final}, time.Minute, 1, final, false},
		{"no retries", []error{transient}, -1, 1, transient, false},
		{"budget spent", []error{transient, transient, transient, transient}, 400 * time.Millisecond, 2, transient, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			calls := 0
			err := retry(context.Background(), tc.budget, func(context.Context) error {
				calls++
				if calls <= len(tc.fails) {
					return tc.fails[calls-1]
				}
				return nil
			})
			if calls != tc.calls {
				t.Errorf("%d calls, want %d", calls, tc.calls)
			}
			if !errors.Is(err, tc.wantErr) || (tc.wantErr == nil) != (err == nil) {
				t.Errorf("error %v, want %v", err, tc.wantErr)
			}
			if gave := err != nil && strings.Contains(err.Error(), "gave up after"); gave != tc.giveUp {
				t.Errorf("error %v: gave-up note %t, want %t", err, gave, tc.giveUp)
			}
		})
	}
}
