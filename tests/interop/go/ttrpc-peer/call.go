package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/containerd/ttrpc"
	"github.com/gogo/protobuf/proto"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// metaFlags collects repeated -meta key=value options; duplicate keys keep every value in order.
type metaFlags []string

func (m *metaFlags) String() string     { return strings.Join(*m, ",") }
func (m *metaFlags) Set(v string) error { *m = append(*m, v); return nil }

// callResult is the JSON line printed for each call.
type callResult struct {
	Index     int             `json:"index"`
	Ok        bool            `json:"ok"`
	Code      int             `json:"code"`
	CodeName  string          `json:"codeName"`
	Message   string          `json:"message"`
	Response  json.RawMessage `json:"response,omitempty"`
	ElapsedMs float64         `json:"elapsedMs"`
}

// messagesFor returns fresh request and response messages for a method; an unknown service or method gets the
// Version pair so that the call still reaches the server and the server's Unimplemented answer is what is seen.
func messagesFor(service, method string) (proto.Message, proto.Message) {
	switch service + "/" + method {
	case "hypervisor.Hypervisor/CreateVM":
		return &CreateVMRequest{}, &CreateVMResponse{}
	case "hypervisor.Hypervisor/StartVM":
		return &StartVMRequest{}, &StartVMResponse{}
	case "hypervisor.Hypervisor/StopVM":
		return &StopVMRequest{}, &StopVMResponse{}
	case "grpc.Health/Check":
		return &CheckRequest{}, &HealthCheckResponse{}
	case "grpc.Health/Version":
		return &CheckRequest{}, &VersionCheckResponse{}
	default:
		return &VersionRequest{}, &VersionResponse{}
	}
}

func runCall(args []string) error {
	fs := flag.NewFlagSet("call", flag.ExitOnError)
	socket := fs.String("socket", "", "unix socket path of the server")
	service := fs.String("service", "hypervisor.Hypervisor", "ttrpc service name")
	method := fs.String("method", "Version", "ttrpc method name")
	data := fs.String("data", "{}", "request as JSON, or @FILE to read it from a file; {i} is replaced by the call's index")
	timeout := fs.Duration("timeout", 0, "per-call deadline (0 = none, so no timeout_nano is sent)")
	count := fs.Int("count", 1, "number of calls")
	concurrency := fs.Int("concurrency", 1, "calls in flight at once, all on one connection")
	var meta metaFlags
	fs.Var(&meta, "meta", "metadata key=value (repeatable)")
	fs.Parse(args)
	if *socket == "" {
		return errors.New("-socket is required")
	}
	if *concurrency < 1 {
		*concurrency = 1
	}
	if strings.HasPrefix(*data, "@") {
		text, err := os.ReadFile(strings.TrimPrefix(*data, "@"))
		if err != nil {
			return err
		}
		*data = string(text)
	}

	md := ttrpc.MD{}
	for _, kv := range meta {
		parts := strings.SplitN(kv, "=", 2)
		if len(parts) != 2 {
			return fmt.Errorf("bad -meta %q, want key=value", kv)
		}
		md.Append(parts[0], parts[1])
	}

	conn, err := net.Dial("unix", *socket)
	if err != nil {
		return err
	}
	client := ttrpc.NewClient(conn)
	defer client.Close()

	var (
		printMu sync.Mutex
		wg      sync.WaitGroup
		next    = make(chan int)
	)
	for w := 0; w < *concurrency; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				result := callOnce(client, *service, *method, strings.ReplaceAll(*data, "{i}", strconv.Itoa(i)), *timeout, md)
				result.Index = i
				printMu.Lock()
				printJSON(result)
				printMu.Unlock()
			}
		}()
	}
	for i := 0; i < *count; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
	printJSON(map[string]interface{}{"event": "done", "calls": *count})
	return nil
}

func callOnce(client *ttrpc.Client, service, method, data string, timeout time.Duration, md ttrpc.MD) callResult {
	req, resp := messagesFor(service, method)
	if err := json.Unmarshal([]byte(data), req); err != nil {
		return callResult{Code: int(codes.InvalidArgument), CodeName: codes.InvalidArgument.String(), Message: "bad -data: " + err.Error()}
	}

	ctx := context.Background()
	if len(md) > 0 {
		ctx = ttrpc.WithMetadata(ctx, md)
	}
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}

	started := time.Now()
	err := client.Call(ctx, service, method, req, resp)
	result := callResult{ElapsedMs: float64(time.Since(started).Microseconds()) / 1000}
	if err != nil {
		code := errorCode(err)
		result.Code = int(code)
		result.CodeName = code.String()
		if st, ok := status.FromError(err); ok {
			result.Message = st.Message()
		} else {
			result.Message = err.Error()
		}
		return result
	}
	result.Ok = true
	result.CodeName = codes.OK.String()
	result.Response, _ = json.Marshal(resp)
	return result
}

// errorCode maps a call error to its status code: a status from the server as is, a local deadline or
// cancellation as DeadlineExceeded or Canceled, anything else (connection loss) as Unavailable.
func errorCode(err error) codes.Code {
	if st, ok := status.FromError(err); ok {
		return st.Code()
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return codes.DeadlineExceeded
	case errors.Is(err, context.Canceled):
		return codes.Canceled
	default:
		return codes.Unavailable
	}
}
