package main

import (
	"context"
	"errors"
	"flag"
	"io"
	"net"
	"os"
	"os/signal"
	"syscall"

	"github.com/containerd/ttrpc"
)

func runServe(mode string, args []string) error {
	fs := flag.NewFlagSet(mode, flag.ExitOnError)
	socket := fs.String("socket", "", "unix socket path to listen on")
	watchStdin := fs.Bool("exit-on-stdin-eof", true, "exit when stdin reaches EOF")
	fs.Parse(args)
	if *socket == "" {
		return errors.New("-socket is required")
	}

	server, err := ttrpc.NewServer()
	if err != nil {
		return err
	}
	newPeerService().register(server)

	os.Remove(*socket)
	listener, err := net.Listen("unix", *socket)
	if err != nil {
		return err
	}

	stop := make(chan struct{}, 1)
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		<-signals
		stop <- struct{}{}
	}()
	if *watchStdin {
		go func() {
			io.Copy(io.Discard, os.Stdin)
			stop <- struct{}{}
		}()
	}

	served := make(chan error, 1)
	go func() { served <- server.Serve(context.Background(), listener) }()
	printJSON(map[string]string{"event": "listening", "socket": *socket, "mode": mode})

	select {
	case <-stop:
		server.Close()
		<-served
		os.Remove(*socket)
		return nil
	case err := <-served:
		if errors.Is(err, ttrpc.ErrServerClosed) {
			return nil
		}
		return err
	}
}
