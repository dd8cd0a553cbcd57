package runner

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// HealthHandler serves the probes and the metrics of a process:
//
//	/healthz  200 while the process serves at all (liveness)
//	/readyz   200 when ready returns nil, 503 with its error otherwise
//	/metrics  m in Prometheus' text format
//
// ready may be nil (always ready).
func HealthHandler(m *Metrics, ready func() error) http.Handler {
	if m == nil {
		m = &Metrics{}
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		if ready != nil {
			if err := ready(); err != nil {
				http.Error(w, err.Error(), http.StatusServiceUnavailable)
				return
			}
		}
		fmt.Fprintln(w, "ready")
	})
	mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		m.WriteTo(w)
	})
	return mux
}

// ServeHealth listens on addr (host:port; ":0" picks a port) and serves h
// until ctx ends. It returns the address it listens on, or the error of
// the listen; errors of serving go to onError, which may be nil.
func ServeHealth(ctx context.Context, addr string, h http.Handler, onError func(error)) (string, error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("runner: health endpoint: %w", err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) && onError != nil {
			onError(fmt.Errorf("runner: health endpoint: %w", err))
		}
	}()
	context.AfterFunc(ctx, func() {
		shut, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		srv.Shutdown(shut)
	})
	return l.Addr().String(), nil
}
