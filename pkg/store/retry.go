package store

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"strings"
	"syscall"
	"time"

	"github.com/minio/minio-go/v7"
)

// Backoff between attempts: it starts at firstWait, doubles up to maxWait,
// and each wait is jittered by up to a fifth so that many workers hit by
// the same outage do not retry in step.
const (
	firstWait = 250 * time.Millisecond
	maxWait   = 5 * time.Second
)

// retry calls op until it succeeds, fails in a way retrying cannot fix,
// ctx ends, or the next attempt would start more than budget after the
// first. A negative budget means one attempt. The error is op's last,
// with the number of attempts when there was more than one.
func retry(ctx context.Context, budget time.Duration, op func(context.Context) error) error {
	return retryFrom(ctx, budget, false, op)
}

// retryFrom is retry with the budget counted from the end of the first
// failed attempt when fromFailure is set, rather than from the start of
// the first: for a streamed upload, whose first attempt may run for
// longer than the budget.
func retryFrom(ctx context.Context, budget time.Duration, fromFailure bool, op func(context.Context) error) error {
	start := time.Now()
	wait := firstWait
	for attempt := 1; ; attempt++ {
		err := op(ctx)
		if err == nil || !retryable(err) || ctx.Err() != nil || budget < 0 {
			return err
		}
		if attempt == 1 && fromFailure {
			start = time.Now()
		}
		pause := wait + time.Duration(rand.Int64N(int64(wait)/5+1))
		if time.Since(start)+pause > budget {
			return fmt.Errorf("%w (gave up after %d attempts in %s)",
				err, attempt, time.Since(start).Round(time.Millisecond))
		}
		timer := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			timer.Stop()
			return fmt.Errorf("%w (stopped retrying: %w)", err, ctx.Err())
		case <-timer.C:
		}
		wait = min(2*wait, maxWait)
	}
}

// retryable reports whether err may pass if the request is sent again: a
// server error or throttling, a timeout, or a connection that failed or
// dropped. Errors of TLS set-up and of the request itself (4xx), and
// those of a PutStream's write function, are final; retry itself stops
// when the caller's context ends.
func retryable(err error) bool {
	if _, own := errors.AsType[*writeError](err); own {
		return false // a PutStream's write function failed itself
	}
	resp := minio.ToErrorResponse(err)
	switch {
	case resp.StatusCode >= 500, resp.StatusCode == 429:
		return true
	case resp.Code == "SlowDown", resp.Code == "RequestTimeout", resp.Code == "InternalError":
		return true
	case resp.StatusCode != 0 || resp.Code != "":
		return false
	}
	var (
		unknownCA x509.UnknownAuthorityError
		hostname  x509.HostnameError
		invalid   x509.CertificateInvalidError
		record    tls.RecordHeaderError
	)
	if errors.As(err, &unknownCA) || errors.As(err, &hostname) || errors.As(err, &invalid) || errors.As(err, &record) ||
		strings.Contains(err.Error(), "server gave HTTP response to HTTPS client") {
		return false
	}
	var netErr net.Error
	return errors.As(err, &netErr) ||
		errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE)
}
