package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/containerd/ttrpc"
)

// benchResult is the JSON line bench-call prints. For the payload workload every round trip carries -size bytes
// in the request and the same bytes back in the response; mibPerSec counts one direction.
type benchResult struct {
	Workload    string  `json:"workload"`
	Concurrency int     `json:"concurrency"`
	PayloadSize int     `json:"payloadSize"`
	Ops         int64   `json:"ops"`
	Seconds     float64 `json:"seconds"`
	OpsPerSec   float64 `json:"opsPerSec"`
	MicrosPerOp float64 `json:"microsPerOp"`
	MibPerSec   float64 `json:"mibPerSec"`
}

func runBenchCall(args []string) error {
	fs := flag.NewFlagSet("bench-call", flag.ExitOnError)
	socket := fs.String("socket", "", "unix socket path of the server")
	workload := fs.String("workload", "unary", "unary (one call at a time, small message), parallel (-concurrency calls in flight), payload (echo -size bytes)")
	duration := fs.Duration("duration", 3*time.Second, "measured time")
	warmup := fs.Duration("warmup", time.Second, "unmeasured time before measuring")
	size := fs.Int("size", 1<<20, "payload size in bytes for the payload workload")
	concurrency := fs.Int("concurrency", 1, "calls in flight at once on the one connection")
	fs.Parse(args)
	if *socket == "" {
		return errors.New("-socket is required")
	}

	version := "bench"
	switch *workload {
	case "unary":
		*concurrency = 1
	case "parallel":
		if *concurrency < 2 {
			*concurrency = 64
		}
	case "payload":
		version = strings.Repeat("x", *size)
	default:
		return fmt.Errorf("unknown workload %q", *workload)
	}

	conn, err := net.Dial("unix", *socket)
	if err != nil {
		return err
	}
	client := ttrpc.NewClient(conn)
	defer client.Close()

	run := func(d time.Duration) (int64, time.Duration, error) {
		var (
			ops      int64
			firstErr atomic.Value
			wg       sync.WaitGroup
			deadline = time.Now().Add(d)
			started  = time.Now()
		)
		for w := 0; w < *concurrency; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				req := &VersionRequest{Version: version}
				for time.Now().Before(deadline) {
					var resp VersionResponse
					if err := client.Call(context.Background(), "hypervisor.Hypervisor", "Version", req, &resp); err != nil {
						firstErr.Store(err)
						return
					}
					if len(resp.Version) != len(version) {
						firstErr.Store(fmt.Errorf("echo returned %d bytes, sent %d", len(resp.Version), len(version)))
						return
					}
					atomic.AddInt64(&ops, 1)
				}
			}()
		}
		wg.Wait()
		elapsed := time.Since(started)
		if err, ok := firstErr.Load().(error); ok {
			return 0, 0, err
		}
		return ops, elapsed, nil
	}

	if *warmup > 0 {
		if _, _, err := run(*warmup); err != nil {
			return err
		}
	}
	ops, elapsed, err := run(*duration)
	if err != nil {
		return err
	}

	seconds := elapsed.Seconds()
	result := benchResult{
		Workload:    *workload,
		Concurrency: *concurrency,
		Ops:         ops,
		Seconds:     seconds,
		OpsPerSec:   float64(ops) / seconds,
		MicrosPerOp: seconds * 1e6 / float64(ops),
	}
	if *workload == "payload" {
		result.PayloadSize = *size
		result.MibPerSec = float64(ops) * float64(*size) / (1 << 20) / seconds
	}
	printJSON(result)
	return nil
}
