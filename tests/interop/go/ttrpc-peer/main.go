// Command ttrpc-peer is an independent ttrpc peer for PodVm's interop tests and benchmark, written against
// Debian's containerd/ttrpc 1.1.1 (GOPATH mode, no module download). Modes:
//
//	serve       -socket PATH   serve hypervisor.Hypervisor and grpc.Health (see service.go)
//	call        -socket PATH   call a server and print each result as one JSON line
//	bench-serve -socket PATH   serve for the benchmark (same services, no per-call output)
//	bench-call  -socket PATH   drive a benchmark workload and print the figures as one JSON line
//
// A serving peer prints {"event":"listening","socket":PATH} on stdout once it accepts connections, and exits on
// SIGINT/SIGTERM or when its stdin reaches EOF (so it never outlives the test process that started it).
package main

import (
	"encoding/json"
	"fmt"
	"os"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	switch os.Args[1] {
	case "serve", "bench-serve":
		err = runServe(os.Args[1], os.Args[2:])
	case "call":
		err = runCall(os.Args[2:])
	case "bench-call":
		err = runBenchCall(os.Args[2:])
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "ttrpc-peer:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: ttrpc-peer serve|bench-serve|call|bench-call -socket PATH [options]")
	os.Exit(2)
}

// printJSON writes one JSON line to stdout.
func printJSON(v interface{}) {
	line, err := json.Marshal(v)
	if err != nil {
		fmt.Fprintln(os.Stderr, "ttrpc-peer: json:", err)
		os.Exit(1)
	}
	os.Stdout.Write(append(line, '\n'))
}
