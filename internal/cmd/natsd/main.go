// Command natsd is a NATS server with JetStream built from the module this
// project already depends on, for tests and for trying a cluster run on
// one machine without installing nats-server. It takes nats-server's own
// flags and configuration files:
//
//	natsd -js -sd ./nats-data -p 4222
//	natsd -c deploy/nats.conf -sd ./nats-data
//	natsd -c deploy/nats.conf -t      # check a configuration and exit
//
// SIGTERM or SIGINT stops it cleanly; its JetStream folder survives, so a
// server started again on the same folder has the streams, the consumers
// and the messages it had.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/nats-io/nats-server/v2/server"
)

func main() {
	fs := flag.NewFlagSet("natsd", flag.ExitOnError)
	fs.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: natsd [nats-server flags], such as -js -sd DIR -p PORT -c FILE --user U --pass P -t")
	}
	opts, err := server.ConfigureOptions(fs, os.Args[1:], server.PrintServerAndExit, fs.Usage, server.PrintTLSHelpAndDie)
	if err != nil {
		fmt.Fprintf(os.Stderr, "natsd: %v\n", err)
		os.Exit(1)
	}
	if opts == nil {
		return // help was asked for and shown
	}
	if opts.CheckConfig {
		fmt.Fprintf(os.Stderr, "natsd: configuration %s is valid\n", opts.ConfigFile)
		return
	}
	server.RedactArgs(os.Args) // passwords given as flags stay out of the monitoring pages
	srv, err := server.NewServer(opts)
	if err != nil {
		fmt.Fprintf(os.Stderr, "natsd: %v\n", err)
		os.Exit(1)
	}
	srv.ConfigureLogger()
	if err := server.Run(srv); err != nil {
		fmt.Fprintf(os.Stderr, "natsd: %v\n", err)
		os.Exit(1)
	}
	srv.WaitForShutdown()
}
