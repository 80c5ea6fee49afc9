// Command shim-standin plays the part of the Kata shim configured with hypervisor = "remote" against a
// cloud-api-adaptor, independently of PodVm's own C# code. It is written against Debian's containerd/ttrpc
// (GOPATH mode, no module download) and behaves as kata-containers' src/runtime/virtcontainers/remote.go and
// kata_agent.go do for one pod with one container:
//
//  1. hypervisor.Hypervisor on -socket, a NEW connection for every call: CreateVM with the nine annotations the
//     shim sends (sandbox name and namespace, machine_type, image, default_vcpus, default_memory, cc_init_data,
//     default_gpus, default_gpu_model), then StartVM with the long remote_hypervisor_timeout deadline.
//  2. The agent protocol on the agentSocketPath that CreateVM answered, one connection: grpc.Health/Check,
//     CreateSandbox, CreateContainer (image pulled in the guest: an image_guest_pull storage naming -image),
//     StartContainer, ReadStdout and ReadStderr until they end, WaitProcess, RemoveContainer, DestroySandbox.
//  3. StopVM (and StopVM again, which must be a no-op), then checks that the agent socket is gone.
//
// The container's stdout goes to stdout and its stderr to stderr; progress lines ("shim-standin: ...") go to
// stderr. The exit code is 0 when every call succeeded and every check held (-expect-stdout, -expect-exit), else
// 1 with a message naming the mismatch, 2 for bad flags. A failure after StartVM still calls StopVM, as the shim
// tears a sandbox down when its start fails.
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/containerd/ttrpc"
	"github.com/gogo/protobuf/proto"
	"google.golang.org/grpc/status"
)

const (
	annotationPrefix = "io.katacontainers.config.hypervisor."
	servingStatus    = 1
)

type options struct {
	socket, id, podName, podNamespace, netns         string
	machineType, imageDir, initData, gpuModel, image string
	vcpus, memoryMiB, gpus                           int
	startTimeout, callTimeout, deadline              time.Duration
	expectStdout                                     *string
	expectExit                                       int
	command                                          []string
}

func main() {
	o, err := parseFlags(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "shim-standin:", err)
		os.Exit(2)
	}
	// Never outlive a hung adaptor: the whole sequence has one overall deadline.
	time.AfterFunc(o.deadline, func() {
		fmt.Fprintf(os.Stderr, "shim-standin: FAIL: the sequence did not finish within -deadline %s\n", o.deadline)
		os.Exit(1)
	})
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "shim-standin: FAIL:", err)
		os.Exit(1)
	}
	fmt.Fprintln(os.Stderr, "shim-standin: PASS")
}

func parseFlags(args []string) (*options, error) {
	fs := flag.NewFlagSet("shim-standin", flag.ContinueOnError)
	o := &options{}
	fs.StringVar(&o.socket, "socket", "/run/peerpod/hypervisor.sock", "the adaptor's hypervisor socket (remote_hypervisor_socket)")
	fs.StringVar(&o.id, "id", "", "sandbox id (default: 64 random hex digits, like a containerd sandbox id)")
	fs.StringVar(&o.podName, "pod-name", "shim-standin", "io.kubernetes.cri.sandbox-name")
	fs.StringVar(&o.podNamespace, "pod-namespace", "default", "io.kubernetes.cri.sandbox-namespace")
	fs.StringVar(&o.netns, "netns", "", "CreateVM networkNamespacePath")
	fs.StringVar(&o.machineType, "machine-type", "", "annotation machine_type")
	fs.StringVar(&o.imageDir, "image-dir", "", "annotation image (the pod VM image)")
	fs.IntVar(&o.vcpus, "vcpus", 1, "annotation default_vcpus")
	fs.IntVar(&o.memoryMiB, "memory", 256, "annotation default_memory (MiB)")
	fs.StringVar(&o.initData, "initdata", "", "annotation cc_init_data")
	fs.IntVar(&o.gpus, "gpus", 0, "annotation default_gpus")
	fs.StringVar(&o.gpuModel, "gpu-model", "", "annotation default_gpu_model")
	fs.StringVar(&o.image, "image", "busybox", "container image, pulled in the guest (image_guest_pull storage)")
	fs.DurationVar(&o.startTimeout, "start-timeout", 600*time.Second, "StartVM deadline (remote_hypervisor_timeout)")
	fs.DurationVar(&o.callTimeout, "call-timeout", 60*time.Second, "deadline of the other unary calls")
	fs.DurationVar(&o.deadline, "deadline", 15*time.Minute, "the whole sequence")
	expect := fs.String("expect-stdout", "\x00unset", "the container's whole stdout must equal this")
	fs.IntVar(&o.expectExit, "expect-exit", 0, "the container's exit status must equal this")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if *expect != "\x00unset" {
		o.expectStdout = expect
	}
	o.command = fs.Args()
	if len(o.command) == 0 {
		o.command = []string{"echo", "hello"}
	}
	if o.id == "" {
		o.id = randomHex(32)
	}
	return o, nil
}

func run(o *options) (err error) {
	agentSocket, err := createVM(o)
	if err != nil {
		return err
	}
	defer func() {
		if stopErr := stopVM(o, agentSocket); stopErr != nil && err == nil {
			err = stopErr
		}
	}()

	var start Empty
	if err := hypervisorCall(o, o.startTimeout, "StartVM", &StartVMRequest{Id: o.id}, &start); err != nil {
		return err
	}
	logf("StartVM ok")

	conn, err := net.Dial("unix", agentSocket)
	if err != nil {
		return fmt.Errorf("StartVM returned but the agent socket %s does not accept connections: %v", agentSocket, err)
	}
	agent := ttrpc.NewClient(conn)
	defer agent.Close()
	return agentSequence(o, agent)
}

func createVM(o *options) (string, error) {
	request := &CreateVMRequest{
		Id:                   o.id,
		NetworkNamespacePath: o.netns,
		Annotations: map[string]string{
			"io.kubernetes.cri.sandbox-name":       o.podName,
			"io.kubernetes.cri.sandbox-namespace":  o.podNamespace,
			annotationPrefix + "machine_type":      o.machineType,
			annotationPrefix + "image":             o.imageDir,
			annotationPrefix + "default_vcpus":     strconv.Itoa(o.vcpus),
			annotationPrefix + "default_memory":    strconv.Itoa(o.memoryMiB),
			annotationPrefix + "cc_init_data":      o.initData,
			annotationPrefix + "default_gpus":      strconv.Itoa(o.gpus),
			annotationPrefix + "default_gpu_model": o.gpuModel,
		},
	}
	var response CreateVMResponse
	if err := hypervisorCall(o, o.callTimeout, "CreateVM", request, &response); err != nil {
		return "", err
	}
	path := response.AgentSocketPath
	// Upstream's contract: <pods-dir>/<sandbox id>/agent.ttrpc.
	if !filepath.IsAbs(path) || filepath.Base(path) != "agent.ttrpc" || filepath.Base(filepath.Dir(path)) != o.id {
		return "", fmt.Errorf("CreateVM answered agentSocketPath %q, want an absolute <pods-dir>/%s/agent.ttrpc", path, o.id)
	}
	logf("CreateVM ok: agentSocketPath=%s", path)
	return path, nil
}

func stopVM(o *options, agentSocket string) error {
	var empty Empty
	if err := hypervisorCall(o, o.callTimeout, "StopVM", &StopVMRequest{Id: o.id}, &empty); err != nil {
		return err
	}
	if err := hypervisorCall(o, o.callTimeout, "StopVM", &StopVMRequest{Id: o.id}, &empty); err != nil {
		return fmt.Errorf("a second StopVM must be a no-op: %v", err)
	}
	if conn, err := net.Dial("unix", agentSocket); err == nil {
		conn.Close()
		return fmt.Errorf("after StopVM the agent socket %s still accepts connections", agentSocket)
	}
	logf("StopVM ok (twice); agent socket gone")
	return nil
}

// hypervisorCall dials the hypervisor socket afresh for every call, as remote.go does.
func hypervisorCall(o *options, timeout time.Duration, method string, request, response proto.Message) error {
	conn, err := net.Dial("unix", o.socket)
	if err != nil {
		return fmt.Errorf("%s: cannot dial the hypervisor socket %s: %v", method, o.socket, err)
	}
	client := ttrpc.NewClient(conn)
	defer client.Close()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if err := client.Call(ctx, "hypervisor.Hypervisor", method, request, response); err != nil {
		return fmt.Errorf("hypervisor.Hypervisor/%s: %s", method, describe(err))
	}
	return nil
}

func agentSequence(o *options, agent *ttrpc.Client) error {
	call := func(service, method string, timeout time.Duration, request, response proto.Message) error {
		ctx := context.Background()
		if timeout > 0 {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, timeout)
			defer cancel()
		}
		if err := agent.Call(ctx, service, method, request, response); err != nil {
			return fmt.Errorf("%s/%s: %s", service, method, describe(err))
		}
		return nil
	}
	const agentService = "grpc.AgentService"

	var health HealthCheckResponse
	if err := call("grpc.Health", "Check", o.callTimeout, &CheckRequest{}, &health); err != nil {
		return err
	}
	if health.Status != servingStatus {
		return fmt.Errorf("grpc.Health/Check answered status %d, want SERVING (1)", health.Status)
	}
	logf("Check ok: SERVING")

	if err := call(agentService, "CreateSandbox", o.callTimeout, &CreateSandboxRequest{Hostname: o.podName, SandboxId: o.id}, &Empty{}); err != nil {
		return err
	}
	logf("CreateSandbox ok")

	containerID := randomHex(32)
	rootfs := "/run/kata-containers/" + containerID + "/rootfs"
	pull, _ := json.Marshal(map[string]string{"image": o.image})
	create := &CreateContainerRequest{
		ContainerId: containerID,
		ExecId:      containerID,
		Storages: []*Storage{{
			Driver:        "image_guest_pull",
			DriverOptions: []string{"image_guest_pull=" + string(pull)},
			Source:        o.image,
			Fstype:        "overlay",
			MountPoint:    rootfs,
		}},
		OCI: &Spec{
			Version:  "1.1.0",
			Hostname: o.podName,
			Root:     &Root{Path: rootfs},
			Process: &Process{
				User: &User{},
				Args: o.command,
				Env:  []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"},
				Cwd:  "/",
			},
			Linux: &Linux{Namespaces: []*LinuxNamespace{{Type: "ipc"}, {Type: "uts"}, {Type: "mount"}}},
		},
	}
	if err := call(agentService, "CreateContainer", o.callTimeout*2, create, &Empty{}); err != nil {
		return err
	}
	logf("CreateContainer ok: %s (image %s pulled in the guest)", containerID[:12], o.image)
	if err := call(agentService, "StartContainer", o.callTimeout, &StartContainerRequest{ContainerId: containerID}, &Empty{}); err != nil {
		return err
	}
	logf("StartContainer ok")

	// As the shim: read both streams until the agent ends them (an error reply), then WaitProcess.
	var stdout bytes.Buffer
	var wg sync.WaitGroup
	pump := func(method string, sink *os.File, keep *bytes.Buffer) {
		defer wg.Done()
		for {
			var chunk ReadStreamResponse
			if err := agent.Call(context.Background(), agentService, method, &ReadStreamRequest{ContainerId: containerID, ExecId: containerID, Len: 64 * 1024}, &chunk); err != nil {
				return
			}
			sink.Write(chunk.Data)
			if keep != nil {
				keep.Write(chunk.Data)
			}
		}
	}
	wg.Add(2)
	go pump("ReadStdout", os.Stdout, &stdout)
	go pump("ReadStderr", os.Stderr, nil)
	wg.Wait()

	var wait WaitProcessResponse
	if err := call(agentService, "WaitProcess", 0, &WaitProcessRequest{ContainerId: containerID, ExecId: containerID}, &wait); err != nil {
		return err
	}
	logf("WaitProcess ok: exit status %d, %d bytes of stdout", wait.Status, stdout.Len())

	if err := call(agentService, "RemoveContainer", o.callTimeout, &RemoveContainerRequest{ContainerId: containerID}, &Empty{}); err != nil {
		return err
	}
	if err := call(agentService, "DestroySandbox", o.callTimeout, &DestroySandboxRequest{}, &Empty{}); err != nil {
		return err
	}
	logf("RemoveContainer, DestroySandbox ok")

	if o.expectStdout != nil && stdout.String() != *o.expectStdout {
		return fmt.Errorf("the container's stdout was %q, want %q", stdout.String(), *o.expectStdout)
	}
	if int(wait.Status) != o.expectExit {
		return fmt.Errorf("the container exited with %d, want %d", wait.Status, o.expectExit)
	}
	return nil
}

// describe renders a call error as the shim would see it: the status code and message from the server, or
// the transport error.
func describe(err error) string {
	if st, ok := status.FromError(err); ok {
		return fmt.Sprintf("%s: %s", st.Code(), st.Message())
	}
	return err.Error()
}

func logf(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "shim-standin: "+format+"\n", args...)
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}
