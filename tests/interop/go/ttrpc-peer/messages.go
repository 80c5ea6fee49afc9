package main

// Hand-written message types for hypervisor.Hypervisor and grpc.Health, written from the field tables of
// kata-containers' hypervisor.proto and health.proto. gogo/protobuf marshals them by reflection over the
// `protobuf` struct tags, so no protoc-generated code is needed. The json tags name the fields the way the
// protobuf JSON mapping does, so `call -data` and the printed responses use the same names as the C# side.

import "fmt"

// VersionRequest is hypervisor.VersionRequest.
type VersionRequest struct {
	Version string `protobuf:"bytes,1,opt,name=version,proto3" json:"version,omitempty"`
}

func (m *VersionRequest) Reset()         { *m = VersionRequest{} }
func (m *VersionRequest) String() string { return fmt.Sprintf("%+v", *m) }
func (*VersionRequest) ProtoMessage()    {}

// VersionResponse is hypervisor.VersionResponse.
type VersionResponse struct {
	Version string `protobuf:"bytes,1,opt,name=version,proto3" json:"version,omitempty"`
}

func (m *VersionResponse) Reset()         { *m = VersionResponse{} }
func (m *VersionResponse) String() string { return fmt.Sprintf("%+v", *m) }
func (*VersionResponse) ProtoMessage()    {}

// CreateVMRequest is hypervisor.CreateVMRequest; annotations is a map<string,string> (repeated key=1/value=2 entries).
type CreateVMRequest struct {
	Id                   string            `protobuf:"bytes,1,opt,name=id,proto3" json:"id,omitempty"`
	Annotations          map[string]string `protobuf:"bytes,2,rep,name=annotations,proto3" protobuf_key:"bytes,1,opt,name=key,proto3" protobuf_val:"bytes,2,opt,name=value,proto3" json:"annotations,omitempty"`
	NetworkNamespacePath string            `protobuf:"bytes,3,opt,name=networkNamespacePath,proto3" json:"networkNamespacePath,omitempty"`
}

func (m *CreateVMRequest) Reset()         { *m = CreateVMRequest{} }
func (m *CreateVMRequest) String() string { return fmt.Sprintf("%+v", *m) }
func (*CreateVMRequest) ProtoMessage()    {}

// CreateVMResponse is hypervisor.CreateVMResponse.
type CreateVMResponse struct {
	AgentSocketPath string `protobuf:"bytes,1,opt,name=agentSocketPath,proto3" json:"agentSocketPath,omitempty"`
}

func (m *CreateVMResponse) Reset()         { *m = CreateVMResponse{} }
func (m *CreateVMResponse) String() string { return fmt.Sprintf("%+v", *m) }
func (*CreateVMResponse) ProtoMessage()    {}

// StartVMRequest is hypervisor.StartVMRequest.
type StartVMRequest struct {
	Id string `protobuf:"bytes,1,opt,name=id,proto3" json:"id,omitempty"`
}

func (m *StartVMRequest) Reset()         { *m = StartVMRequest{} }
func (m *StartVMRequest) String() string { return fmt.Sprintf("%+v", *m) }
func (*StartVMRequest) ProtoMessage()    {}

// StartVMResponse is hypervisor.StartVMResponse (no fields).
type StartVMResponse struct{}

func (m *StartVMResponse) Reset()         { *m = StartVMResponse{} }
func (m *StartVMResponse) String() string { return "{}" }
func (*StartVMResponse) ProtoMessage()    {}

// StopVMRequest is hypervisor.StopVMRequest.
type StopVMRequest struct {
	Id string `protobuf:"bytes,1,opt,name=id,proto3" json:"id,omitempty"`
}

func (m *StopVMRequest) Reset()         { *m = StopVMRequest{} }
func (m *StopVMRequest) String() string { return fmt.Sprintf("%+v", *m) }
func (*StopVMRequest) ProtoMessage()    {}

// StopVMResponse is hypervisor.StopVMResponse (no fields).
type StopVMResponse struct{}

func (m *StopVMResponse) Reset()         { *m = StopVMResponse{} }
func (m *StopVMResponse) String() string { return "{}" }
func (*StopVMResponse) ProtoMessage()    {}

// CheckRequest is grpc.CheckRequest (health.proto).
type CheckRequest struct {
	Service string `protobuf:"bytes,1,opt,name=service,proto3" json:"service,omitempty"`
}

func (m *CheckRequest) Reset()         { *m = CheckRequest{} }
func (m *CheckRequest) String() string { return fmt.Sprintf("%+v", *m) }
func (*CheckRequest) ProtoMessage()    {}

// Serving states of grpc.HealthCheckResponse.ServingStatus.
const (
	ServingStatusUnknown    int32 = 0
	ServingStatusServing    int32 = 1
	ServingStatusNotServing int32 = 2
)

// HealthCheckResponse is grpc.HealthCheckResponse; status is the ServingStatus enum (a varint on the wire).
type HealthCheckResponse struct {
	Status int32 `protobuf:"varint,1,opt,name=status,proto3" json:"status,omitempty"`
}

func (m *HealthCheckResponse) Reset()         { *m = HealthCheckResponse{} }
func (m *HealthCheckResponse) String() string { return fmt.Sprintf("%+v", *m) }
func (*HealthCheckResponse) ProtoMessage()    {}

// VersionCheckResponse is grpc.VersionCheckResponse.
type VersionCheckResponse struct {
	GrpcVersion  string `protobuf:"bytes,1,opt,name=grpc_version,json=grpcVersion,proto3" json:"grpcVersion,omitempty"`
	AgentVersion string `protobuf:"bytes,2,opt,name=agent_version,json=agentVersion,proto3" json:"agentVersion,omitempty"`
}

func (m *VersionCheckResponse) Reset()         { *m = VersionCheckResponse{} }
func (m *VersionCheckResponse) String() string { return fmt.Sprintf("%+v", *m) }
func (*VersionCheckResponse) ProtoMessage()    {}
