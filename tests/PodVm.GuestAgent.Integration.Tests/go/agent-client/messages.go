package main

// Hand-written message types for the part of grpc.Health and grpc.AgentService this client speaks, written from the
// field tables of kata-containers' health.proto and agent.proto. gogo/protobuf marshals them by reflection over the
// `protobuf` struct tags; no generated code is needed.

import "fmt"

// CheckRequest is grpc.CheckRequest.
type CheckRequest struct {
	Service string `protobuf:"bytes,1,opt,name=service,proto3"`
}

func (m *CheckRequest) Reset()         { *m = CheckRequest{} }
func (m *CheckRequest) String() string { return fmt.Sprintf("%+v", *m) }
func (*CheckRequest) ProtoMessage()    {}

// HealthCheckResponse is grpc.HealthCheckResponse (status: 0 unknown, 1 serving, 2 not serving).
type HealthCheckResponse struct {
	Status int32 `protobuf:"varint,1,opt,name=status,proto3"`
}

func (m *HealthCheckResponse) Reset()         { *m = HealthCheckResponse{} }
func (m *HealthCheckResponse) String() string { return fmt.Sprintf("%+v", *m) }
func (*HealthCheckResponse) ProtoMessage()    {}

// VersionCheckResponse is grpc.VersionCheckResponse.
type VersionCheckResponse struct {
	GrpcVersion  string `protobuf:"bytes,1,opt,name=grpc_version,json=grpcVersion,proto3"`
	AgentVersion string `protobuf:"bytes,2,opt,name=agent_version,json=agentVersion,proto3"`
}

func (m *VersionCheckResponse) Reset()         { *m = VersionCheckResponse{} }
func (m *VersionCheckResponse) String() string { return fmt.Sprintf("%+v", *m) }
func (*VersionCheckResponse) ProtoMessage()    {}

// GuestDetailsRequest is grpc.GuestDetailsRequest.
type GuestDetailsRequest struct {
	MemBlockSize    bool `protobuf:"varint,1,opt,name=mem_block_size,json=memBlockSize,proto3"`
	MemHotplugProbe bool `protobuf:"varint,2,opt,name=mem_hotplug_probe,json=memHotplugProbe,proto3"`
}

func (m *GuestDetailsRequest) Reset()         { *m = GuestDetailsRequest{} }
func (m *GuestDetailsRequest) String() string { return fmt.Sprintf("%+v", *m) }
func (*GuestDetailsRequest) ProtoMessage()    {}

// AgentDetails is grpc.AgentDetails as protocols/PodVm.Protocols/Protos/agent.proto numbers it (extra_features = 6 not read).
type AgentDetails struct {
	Version         string   `protobuf:"bytes,1,opt,name=version,proto3"`
	InitDaemon      bool     `protobuf:"varint,2,opt,name=init_daemon,json=initDaemon,proto3"`
	DeviceHandlers  []string `protobuf:"bytes,3,rep,name=device_handlers,json=deviceHandlers,proto3"`
	StorageHandlers []string `protobuf:"bytes,4,rep,name=storage_handlers,json=storageHandlers,proto3"`
	SupportsSeccomp bool     `protobuf:"varint,5,opt,name=supports_seccomp,json=supportsSeccomp,proto3"`
}

func (m *AgentDetails) Reset()         { *m = AgentDetails{} }
func (m *AgentDetails) String() string { return fmt.Sprintf("%+v", *m) }
func (*AgentDetails) ProtoMessage()    {}

// GuestDetailsResponse is grpc.GuestDetailsResponse.
type GuestDetailsResponse struct {
	MemBlockSizeBytes      uint64        `protobuf:"varint,1,opt,name=mem_block_size_bytes,json=memBlockSizeBytes,proto3"`
	AgentDetails           *AgentDetails `protobuf:"bytes,2,opt,name=agent_details,json=agentDetails,proto3"`
	SupportMemHotplugProbe bool          `protobuf:"varint,3,opt,name=support_mem_hotplug_probe,json=supportMemHotplugProbe,proto3"`
}

func (m *GuestDetailsResponse) Reset()         { *m = GuestDetailsResponse{} }
func (m *GuestDetailsResponse) String() string { return fmt.Sprintf("%+v", *m) }
func (*GuestDetailsResponse) ProtoMessage()    {}

// ReadStreamRequest is grpc.ReadStreamRequest.
type ReadStreamRequest struct {
	ContainerId string `protobuf:"bytes,1,opt,name=container_id,json=containerId,proto3"`
	ExecId      string `protobuf:"bytes,2,opt,name=exec_id,json=execId,proto3"`
	Len         uint32 `protobuf:"varint,3,opt,name=len,proto3"`
}

func (m *ReadStreamRequest) Reset()         { *m = ReadStreamRequest{} }
func (m *ReadStreamRequest) String() string { return fmt.Sprintf("%+v", *m) }
func (*ReadStreamRequest) ProtoMessage()    {}

// ReadStreamResponse is grpc.ReadStreamResponse.
type ReadStreamResponse struct {
	Data []byte `protobuf:"bytes,1,opt,name=data,proto3"`
}

func (m *ReadStreamResponse) Reset()         { *m = ReadStreamResponse{} }
func (m *ReadStreamResponse) String() string { return fmt.Sprintf("%+v", *m) }
func (*ReadStreamResponse) ProtoMessage()    {}

// WaitProcessRequest is grpc.WaitProcessRequest.
type WaitProcessRequest struct {
	ContainerId string `protobuf:"bytes,1,opt,name=container_id,json=containerId,proto3"`
	ExecId      string `protobuf:"bytes,2,opt,name=exec_id,json=execId,proto3"`
}

func (m *WaitProcessRequest) Reset()         { *m = WaitProcessRequest{} }
func (m *WaitProcessRequest) String() string { return fmt.Sprintf("%+v", *m) }
func (*WaitProcessRequest) ProtoMessage()    {}

// WaitProcessResponse is grpc.WaitProcessResponse.
type WaitProcessResponse struct {
	Status int32 `protobuf:"varint,1,opt,name=status,proto3"`
}

func (m *WaitProcessResponse) Reset()         { *m = WaitProcessResponse{} }
func (m *WaitProcessResponse) String() string { return fmt.Sprintf("%+v", *m) }
func (*WaitProcessResponse) ProtoMessage()    {}
