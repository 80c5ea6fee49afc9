// agent-client drives a PodVm guest agent through the agent-protocol forwarder as an independent ttrpc peer:
// containerd/ttrpc (Debian's golang-github-containerd-ttrpc-dev) over Go's crypto/tls with a client certificate,
// TLS 1.3 only, the server certificate checked against the CA and the instance name.
//
// It calls grpc.Health/Check, grpc.Health/Version, grpc.AgentService/GetGuestDetails and, when -container is given,
// reads that container's stdout to its end (ReadStdout until the agent's end-of-stream error) and waits for it
// (WaitProcess). It prints one JSON line per call: {"call":..., "ok":..., "code":..., "message":..., ...}.
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/containerd/ttrpc"
	"google.golang.org/grpc/status"
)

type result struct {
	Call    string      `json:"call"`
	Ok      bool        `json:"ok"`
	Code    int         `json:"code"`
	Message string      `json:"message,omitempty"`
	Value   interface{} `json:"value,omitempty"`
}

func emit(call string, value interface{}, err error) {
	r := result{Call: call, Ok: err == nil, Value: value}
	if err != nil {
		st, _ := status.FromError(err)
		r.Code = int(st.Code())
		r.Message = st.Message()
	}
	line, _ := json.Marshal(r)
	fmt.Println(string(line))
}

func main() {
	addr := flag.String("addr", "", "forwarder host:port")
	serverName := flag.String("server-name", "", "name the forwarder's certificate must carry")
	caFile := flag.String("ca", "", "PEM file of the CA that issued the forwarder's certificate")
	certFile := flag.String("cert", "", "PEM client certificate")
	keyFile := flag.String("key", "", "PEM client key")
	container := flag.String("container", "", "container whose stdout to read and whose exit to wait for")
	timeout := flag.Duration("timeout", 60*time.Second, "deadline for the whole session")
	flag.Parse()

	caPem, err := os.ReadFile(*caFile)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPem) {
		fmt.Fprintln(os.Stderr, "no certificate in", *caFile)
		os.Exit(2)
	}
	pair, err := tls.LoadX509KeyPair(*certFile, *keyFile)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}

	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	dialer := &tls.Dialer{Config: &tls.Config{
		MinVersion:   tls.VersionTLS13,
		RootCAs:      pool,
		ServerName:   *serverName,
		Certificates: []tls.Certificate{pair},
	}}
	conn, err := dialer.DialContext(ctx, "tcp", *addr)
	if err != nil {
		emit("dial", nil, err)
		os.Exit(1)
	}
	client := ttrpc.NewClient(conn)
	defer client.Close()

	var health HealthCheckResponse
	err = client.Call(ctx, "grpc.Health", "Check", &CheckRequest{}, &health)
	emit("Check", health.Status, err)

	var version VersionCheckResponse
	err = client.Call(ctx, "grpc.Health", "Version", &CheckRequest{}, &version)
	emit("Version", version.AgentVersion, err)

	var details GuestDetailsResponse
	err = client.Call(ctx, "grpc.AgentService", "GetGuestDetails", &GuestDetailsRequest{MemBlockSize: true}, &details)
	var handlers []string
	if details.AgentDetails != nil {
		handlers = details.AgentDetails.StorageHandlers
	}
	emit("GetGuestDetails", handlers, err)

	if *container != "" {
		var output []byte
		for {
			var chunk ReadStreamResponse
			err = client.Call(ctx, "grpc.AgentService", "ReadStdout", &ReadStreamRequest{ContainerId: *container, Len: 65536}, &chunk)
			if err != nil {
				break
			}
			output = append(output, chunk.Data...)
		}
		emit("ReadStdout", string(output), nil)
		emit("ReadStdoutEnd", nil, err)

		var wait WaitProcessResponse
		err = client.Call(ctx, "grpc.AgentService", "WaitProcess", &WaitProcessRequest{ContainerId: *container}, &wait)
		emit("WaitProcess", wait.Status, err)
	}
}
