package bus

import (
	"fmt"
	"os"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// Server is a NATS server with JetStream running inside this process, for
// a job on one machine. It listens on 127.0.0.1 at a port the system
// picks, so that worker processes on the same machine may join, and keeps
// its JetStream files in a temporary folder that Shutdown removes.
type Server struct {
	srv *server.Server
	dir string
}

// StartServer starts an embedded server and waits until it accepts
// connections. It returns an error when the store folder cannot be made or
// the server does not start within ten seconds.
func StartServer() (*Server, error) {
	dir, err := os.MkdirTemp("", "mrioflow-nats-")
	if err != nil {
		return nil, fmt.Errorf("bus: embedded server: %w", err)
	}
	srv, err := server.NewServer(&server.Options{
		ServerName: "mrioflow",
		Host:       "127.0.0.1",
		Port:       server.RANDOM_PORT,
		JetStream:  true,
		StoreDir:   dir,
		NoSigs:     true,
		NoLog:      true,
	})
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("bus: embedded server: %w", err)
	}
	go srv.Start()
	if !srv.ReadyForConnections(10 * time.Second) {
		srv.Shutdown()
		os.RemoveAll(dir)
		return nil, fmt.Errorf("bus: embedded server did not start within 10s")
	}
	return &Server{srv: srv, dir: dir}, nil
}

// URL is the address clients connect to, nats://127.0.0.1:<port>.
func (s *Server) URL() string { return s.srv.ClientURL() }

// Shutdown stops the server, waits until it has stopped and removes its
// store folder. It returns the error of the removal, if any.
func (s *Server) Shutdown() error {
	s.srv.Shutdown()
	s.srv.WaitForShutdown()
	if err := os.RemoveAll(s.dir); err != nil {
		return fmt.Errorf("bus: remove server store: %w", err)
	}
	return nil
}
