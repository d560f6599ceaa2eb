// Command ferretdb starts an embedded FerretDB (SQLite backend) for Tifli's
// local runs and tests. It is built from FerretDB's embeddable package because
// a plain `go install` of FerretDB's own command panics without its version file.
//
// It prints one line "ready <mongodb-uri>" on stdout when it accepts
// connections, and stops on SIGINT or SIGTERM.
//
// With -listen-unix PATH it listens on that Unix socket instead of TCP, and
// FerretDB itself listens on a socket beside it: nothing is reachable on a
// TCP port, and only processes allowed into the socket's directory (mode
// 0700, the service's user) can connect. The printed URI is then
// mongodb://<percent-encoded path>/.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "TCP address to listen on (port 0 picks a free one)")
	listenUnix := flag.String("listen-unix", "", "Unix socket path to listen on instead of TCP (its directory should be mode 0700)")
	dataDir := flag.String("data", "", "directory for the SQLite files (required)")
	logLevel := flag.String("log-level", "warn", "log level: debug, info, warn or error")
	flag.Parse()

	if *dataDir == "" {
		fmt.Fprintln(os.Stderr, "ferretdb: -data is required")
		os.Exit(2)
	}
	abs, err := filepath.Abs(*dataDir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "ferretdb:", err)
		os.Exit(2)
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		fmt.Fprintln(os.Stderr, "ferretdb:", err)
		os.Exit(2)
	}

	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		fmt.Fprintln(os.Stderr, "ferretdb: bad -log-level:", err)
		os.Exit(2)
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	// FerretDB itself listens on a private loopback port; clients reach it
	// through the relay (see serialize.go), on the address asked for.
	backListener := ferretdb.ListenerConfig{TCP: "127.0.0.1:0"}
	var front net.Listener
	if *listenUnix != "" {
		// A socket left by a killed run would make Listen fail.
		_ = os.Remove(*listenUnix)
		backSocket := *listenUnix + ".ferretdb"
		_ = os.Remove(backSocket)
		backListener = ferretdb.ListenerConfig{Unix: backSocket}
		front, err = net.Listen("unix", *listenUnix)
		if err == nil {
			err = os.Chmod(*listenUnix, 0o600)
		}
	} else {
		front, err = net.Listen("tcp", *listen)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "ferretdb:", err)
		os.Exit(1)
	}

	f, err := ferretdb.New(&ferretdb.Config{
		Listener: backListener,
		Logger:   logger,
		Handler:  "sqlite",
		// WAL with synchronous=NORMAL: a commit survives a crash of this
		// process, not a power cut; production durability comes from MongoDB.
		SQLiteURL: "file:" + abs + "/?_pragma=synchronous(normal)",
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "ferretdb:", err)
		os.Exit(1)
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	done := make(chan error, 1)
	go func() { done <- f.Run(ctx) }()

	// MongoDBURI waits until FerretDB listens, on TCP or on its socket.
	backAddress := f.MongoDBURI()
	r := &relay{backNetwork: "unix", back: backListener.Unix, logger: logger}
	if backListener.Unix == "" {
		backURI, err := url.Parse(backAddress)
		if err != nil {
			fmt.Fprintln(os.Stderr, "ferretdb:", err)
			os.Exit(1)
		}
		r.backNetwork, r.back = "tcp", backURI.Host
	}
	indexer := &idIndexer{dir: abs, logger: logger}
	go indexer.run(ctx, 250*time.Millisecond)

	go r.serve(front)
	go func() {
		<-ctx.Done()
		front.Close()
	}()

	if *listenUnix != "" {
		fmt.Printf("ready mongodb://%s/\n", url.PathEscape(*listenUnix))
	} else {
		fmt.Printf("ready mongodb://%s/\n", front.Addr().String())
	}

	if err := <-done; err != nil && ctx.Err() == nil {
		fmt.Fprintln(os.Stderr, "ferretdb:", err)
		os.Exit(1)
	}
}
