package main

import (
	"context"
	"errors"
	"log/slog"
	"strings"

	"github.com/mrioflow/mrioflow/pkg/bus"
	"github.com/mrioflow/mrioflow/pkg/runner"
)

// envHelp ends the help of the commands that connect.
var envHelp = "\nEnvironment: " + strings.Join(bus.EnvVars, ", ") + " stand in for the NATS flags;\n" +
	strings.Join(runner.EnvVars, ", ") + " configure S3.\n"

// serveHealth serves the probes and metrics on addr until ctx ends;
// nothing when addr is empty. Ready means connected to NATS.
func serveHealth(ctx context.Context, addr string, m *runner.Metrics, b *bus.Bus, log *slog.Logger) error {
	if addr == "" {
		return nil
	}
	h := runner.HealthHandler(m, func() error {
		if !b.Connected() {
			return errors.New("not connected to NATS")
		}
		return nil
	})
	at, err := runner.ServeHealth(ctx, addr, h, func(err error) { log.Warn("health endpoint", "err", err) })
	if err != nil {
		return err
	}
	log.Info("health and metrics", "address", at)
	return nil
}

// connectionLogger logs the connection to NATS dropping and coming back.
func connectionLogger(log *slog.Logger) func(bool, error) {
	return func(up bool, err error) {
		if up {
			log.Info("NATS connection back")
			return
		}
		log.Warn("NATS connection lost; reconnecting", "err", err)
	}
}
