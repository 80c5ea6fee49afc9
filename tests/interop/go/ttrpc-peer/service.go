package main

// The deterministic services the peer serves. The C# interop tests implement the same behaviour in their own test
// server, so one table of expectations applies in both directions:
//
// hypervisor.Hypervisor
//   Version(version)      the request string decides:
//     "sleep:<ms>"        wait <ms> or until the call's deadline; on the deadline return DeadlineExceeded
//     "deadline"          "deadline:none", or "deadline:<ms left>" from the request's timeout_nano
//     "metadata:<key>"    "metadata:" + the values of <key> in the request metadata, joined with ","
//     "error:<code>:<msg>" fail with that status code and message
//     "sandbox:<id>"      the recorded CreateVM arguments of <id> as JSON, or NotFound
//     anything else       echoed unchanged (the benchmark's 1 MiB payload takes this path)
//   CreateVM(id, annotations, netns)  "" -> InvalidArgument "id is required";
//                                     existing -> AlreadyExists "sandbox <id> already exists";
//                                     else records it and returns "/run/peerpod/pods/<id>/agent.ttrpc"
//   StartVM(id)           unknown -> NotFound "sandbox <id> does not exist"; else {}
//   StopVM(id)            unknown -> NotFound "sandbox <id> does not exist"; else forgets it and returns {}
// grpc.Health
//   Check(service)        "not-serving" -> NOT_SERVING; anything else -> SERVING
//   Version(service)      {grpc_version: "ttrpc", agent_version: <service>}

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/containerd/ttrpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

type sandbox struct {
	Annotations          map[string]string `json:"annotations"`
	NetworkNamespacePath string            `json:"networkNamespacePath"`
	Started              bool              `json:"started"`
}

type peerService struct {
	mu        sync.Mutex
	sandboxes map[string]*sandbox
}

func newPeerService() *peerService {
	return &peerService{sandboxes: map[string]*sandbox{}}
}

func (s *peerService) register(server *ttrpc.Server) {
	server.Register("hypervisor.Hypervisor", map[string]ttrpc.Method{
		"Version": func(ctx context.Context, unmarshal func(interface{}) error) (interface{}, error) {
			var req VersionRequest
			if err := unmarshal(&req); err != nil {
				return nil, err
			}
			return s.version(ctx, &req)
		},
		"CreateVM": func(ctx context.Context, unmarshal func(interface{}) error) (interface{}, error) {
			var req CreateVMRequest
			if err := unmarshal(&req); err != nil {
				return nil, err
			}
			return s.createVM(&req)
		},
		"StartVM": func(ctx context.Context, unmarshal func(interface{}) error) (interface{}, error) {
			var req StartVMRequest
			if err := unmarshal(&req); err != nil {
				return nil, err
			}
			return s.startVM(&req)
		},
		"StopVM": func(ctx context.Context, unmarshal func(interface{}) error) (interface{}, error) {
			var req StopVMRequest
			if err := unmarshal(&req); err != nil {
				return nil, err
			}
			return s.stopVM(&req)
		},
	})
	server.Register("grpc.Health", map[string]ttrpc.Method{
		"Check": func(ctx context.Context, unmarshal func(interface{}) error) (interface{}, error) {
			var req CheckRequest
			if err := unmarshal(&req); err != nil {
				return nil, err
			}
			if req.Service == "not-serving" {
				return &HealthCheckResponse{Status: ServingStatusNotServing}, nil
			}
			return &HealthCheckResponse{Status: ServingStatusServing}, nil
		},
		"Version": func(ctx context.Context, unmarshal func(interface{}) error) (interface{}, error) {
			var req CheckRequest
			if err := unmarshal(&req); err != nil {
				return nil, err
			}
			return &VersionCheckResponse{GrpcVersion: "ttrpc", AgentVersion: req.Service}, nil
		},
	})
}

func (s *peerService) version(ctx context.Context, req *VersionRequest) (*VersionResponse, error) {
	v := req.Version
	switch {
	case strings.HasPrefix(v, "sleep:"):
		ms, err := strconv.Atoi(strings.TrimPrefix(v, "sleep:"))
		if err != nil {
			return nil, status.Errorf(codes.InvalidArgument, "bad sleep %q", v)
		}
		timer := time.NewTimer(time.Duration(ms) * time.Millisecond)
		defer timer.Stop()
		select {
		case <-timer.C:
			return &VersionResponse{Version: fmt.Sprintf("slept:%d", ms)}, nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	case v == "deadline":
		if dl, ok := ctx.Deadline(); ok {
			return &VersionResponse{Version: fmt.Sprintf("deadline:%d", time.Until(dl).Milliseconds())}, nil
		}
		return &VersionResponse{Version: "deadline:none"}, nil
	case strings.HasPrefix(v, "metadata:"):
		key := strings.TrimPrefix(v, "metadata:")
		values, _ := ttrpc.GetMetadata(ctx)
		got, _ := values.Get(key)
		return &VersionResponse{Version: "metadata:" + strings.Join(got, ",")}, nil
	case strings.HasPrefix(v, "error:"):
		parts := strings.SplitN(v, ":", 3)
		code, err := strconv.Atoi(parts[1])
		if err != nil || len(parts) != 3 {
			return nil, status.Errorf(codes.InvalidArgument, "bad error %q", v)
		}
		return nil, status.Error(codes.Code(code), parts[2])
	case strings.HasPrefix(v, "sandbox:"):
		id := strings.TrimPrefix(v, "sandbox:")
		s.mu.Lock()
		sb, ok := s.sandboxes[id]
		var text []byte
		if ok {
			text, _ = json.Marshal(sb)
		}
		s.mu.Unlock()
		if !ok {
			return nil, status.Errorf(codes.NotFound, "sandbox %s does not exist", id)
		}
		return &VersionResponse{Version: string(text)}, nil
	default:
		return &VersionResponse{Version: v}, nil
	}
}

func (s *peerService) createVM(req *CreateVMRequest) (*CreateVMResponse, error) {
	if req.Id == "" {
		return nil, status.Error(codes.InvalidArgument, "id is required")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.sandboxes[req.Id]; ok {
		return nil, status.Errorf(codes.AlreadyExists, "sandbox %s already exists", req.Id)
	}
	annotations := map[string]string{}
	for k, v := range req.Annotations {
		annotations[k] = v
	}
	s.sandboxes[req.Id] = &sandbox{Annotations: annotations, NetworkNamespacePath: req.NetworkNamespacePath}
	return &CreateVMResponse{AgentSocketPath: "/run/peerpod/pods/" + req.Id + "/agent.ttrpc"}, nil
}

func (s *peerService) startVM(req *StartVMRequest) (*StartVMResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sb, ok := s.sandboxes[req.Id]
	if !ok {
		return nil, status.Errorf(codes.NotFound, "sandbox %s does not exist", req.Id)
	}
	sb.Started = true
	return &StartVMResponse{}, nil
}

func (s *peerService) stopVM(req *StopVMRequest) (*StopVMResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.sandboxes[req.Id]; !ok {
		return nil, status.Errorf(codes.NotFound, "sandbox %s does not exist", req.Id)
	}
	delete(s.sandboxes, req.Id)
	return &StopVMResponse{}, nil
}
