package main

// Hand-written message types for the calls a Kata shim with hypervisor = "remote" makes: hypervisor.Hypervisor
// (kata-containers src/runtime/protocols/hypervisor/hypervisor.proto) and the part of grpc.AgentService,
// grpc.Health and the OCI spec (agent.proto, health.proto, oci.proto) that the shim's sequence for one
// container needs. Field numbers come from those files' field tables; gogo/protobuf (the codec Debian's ttrpc
// uses) marshals these structs by reflection over the `protobuf` tags. Fields the stand-in never sets are left
// out: proto3 omits them on the wire anyway, and unknown fields in responses are skipped on decode.

import "fmt"

// --- hypervisor.Hypervisor

type CreateVMRequest struct {
	Id                   string            `protobuf:"bytes,1,opt,name=id,proto3"`
	Annotations          map[string]string `protobuf:"bytes,2,rep,name=annotations,proto3" protobuf_key:"bytes,1,opt,name=key,proto3" protobuf_val:"bytes,2,opt,name=value,proto3"`
	NetworkNamespacePath string            `protobuf:"bytes,3,opt,name=networkNamespacePath,proto3"`
}

type CreateVMResponse struct {
	AgentSocketPath string `protobuf:"bytes,1,opt,name=agentSocketPath,proto3"`
}

type StartVMRequest struct {
	Id string `protobuf:"bytes,1,opt,name=id,proto3"`
}

type StopVMRequest struct {
	Id string `protobuf:"bytes,1,opt,name=id,proto3"`
}

// Empty is google.protobuf.Empty and every response message without fields (StartVMResponse, StopVMResponse).
type Empty struct{}

// --- grpc.Health

type CheckRequest struct {
	Service string `protobuf:"bytes,1,opt,name=service,proto3"`
}

// HealthCheckResponse.status: UNKNOWN=0, SERVING=1, NOT_SERVING=2.
type HealthCheckResponse struct {
	Status int32 `protobuf:"varint,1,opt,name=status,proto3"`
}

// --- grpc.AgentService

type CreateSandboxRequest struct {
	Hostname     string     `protobuf:"bytes,1,opt,name=hostname,proto3"`
	Dns          []string   `protobuf:"bytes,2,rep,name=dns,proto3"`
	Storages     []*Storage `protobuf:"bytes,3,rep,name=storages,proto3"`
	SandboxPidns bool       `protobuf:"varint,4,opt,name=sandbox_pidns,proto3"`
	SandboxId    string     `protobuf:"bytes,5,opt,name=sandbox_id,proto3"`
}

type DestroySandboxRequest struct{}

type Storage struct {
	Driver        string   `protobuf:"bytes,1,opt,name=driver,proto3"`
	DriverOptions []string `protobuf:"bytes,2,rep,name=driver_options,proto3"`
	Source        string   `protobuf:"bytes,3,opt,name=source,proto3"`
	Fstype        string   `protobuf:"bytes,4,opt,name=fstype,proto3"`
	Options       []string `protobuf:"bytes,5,rep,name=options,proto3"`
	MountPoint    string   `protobuf:"bytes,6,opt,name=mount_point,proto3"`
}

type CreateContainerRequest struct {
	ContainerId  string     `protobuf:"bytes,1,opt,name=container_id,proto3"`
	ExecId       string     `protobuf:"bytes,2,opt,name=exec_id,proto3"`
	Storages     []*Storage `protobuf:"bytes,5,rep,name=storages,proto3"`
	OCI          *Spec      `protobuf:"bytes,6,opt,name=OCI,proto3"`
	SandboxPidns bool       `protobuf:"varint,7,opt,name=sandbox_pidns,proto3"`
}

type StartContainerRequest struct {
	ContainerId string `protobuf:"bytes,1,opt,name=container_id,proto3"`
}

type RemoveContainerRequest struct {
	ContainerId string `protobuf:"bytes,1,opt,name=container_id,proto3"`
	Timeout     uint32 `protobuf:"varint,2,opt,name=timeout,proto3"`
}

type ReadStreamRequest struct {
	ContainerId string `protobuf:"bytes,1,opt,name=container_id,proto3"`
	ExecId      string `protobuf:"bytes,2,opt,name=exec_id,proto3"`
	Len         uint32 `protobuf:"varint,3,opt,name=len,proto3"`
}

type ReadStreamResponse struct {
	Data []byte `protobuf:"bytes,1,opt,name=data,proto3"`
}

type WaitProcessRequest struct {
	ContainerId string `protobuf:"bytes,1,opt,name=container_id,proto3"`
	ExecId      string `protobuf:"bytes,2,opt,name=exec_id,proto3"`
}

type WaitProcessResponse struct {
	Status int32 `protobuf:"varint,1,opt,name=status,proto3"`
}

// --- OCI spec (oci.proto, package grpc)

type Spec struct {
	Version  string   `protobuf:"bytes,1,opt,name=Version,proto3"`
	Process  *Process `protobuf:"bytes,2,opt,name=Process,proto3"`
	Root     *Root    `protobuf:"bytes,3,opt,name=Root,proto3"`
	Hostname string   `protobuf:"bytes,4,opt,name=Hostname,proto3"`
	Linux    *Linux   `protobuf:"bytes,8,opt,name=Linux,proto3"`
}

type Process struct {
	Terminal bool     `protobuf:"varint,1,opt,name=Terminal,proto3"`
	User     *User    `protobuf:"bytes,3,opt,name=User,proto3"`
	Args     []string `protobuf:"bytes,4,rep,name=Args,proto3"`
	Env      []string `protobuf:"bytes,5,rep,name=Env,proto3"`
	Cwd      string   `protobuf:"bytes,6,opt,name=Cwd,proto3"`
}

type User struct {
	UID uint32 `protobuf:"varint,1,opt,name=UID,proto3"`
	GID uint32 `protobuf:"varint,2,opt,name=GID,proto3"`
}

type Root struct {
	Path     string `protobuf:"bytes,1,opt,name=Path,proto3"`
	Readonly bool   `protobuf:"varint,2,opt,name=Readonly,proto3"`
}

type Linux struct {
	Namespaces []*LinuxNamespace `protobuf:"bytes,6,rep,name=Namespaces,proto3"`
}

type LinuxNamespace struct {
	Type string `protobuf:"bytes,1,opt,name=Type,proto3"`
	Path string `protobuf:"bytes,2,opt,name=Path,proto3"`
}

// The gogo proto.Message methods for every type above.
func (m *CreateVMRequest) Reset()             { *m = CreateVMRequest{} }
func (m *CreateVMRequest) String() string     { return fmt.Sprintf("%+v", *m) }
func (*CreateVMRequest) ProtoMessage()        {}
func (m *CreateVMResponse) Reset()            { *m = CreateVMResponse{} }
func (m *CreateVMResponse) String() string    { return fmt.Sprintf("%+v", *m) }
func (*CreateVMResponse) ProtoMessage()       {}
func (m *StartVMRequest) Reset()              { *m = StartVMRequest{} }
func (m *StartVMRequest) String() string      { return fmt.Sprintf("%+v", *m) }
func (*StartVMRequest) ProtoMessage()         {}
func (m *StopVMRequest) Reset()               { *m = StopVMRequest{} }
func (m *StopVMRequest) String() string       { return fmt.Sprintf("%+v", *m) }
func (*StopVMRequest) ProtoMessage()          {}
func (m *Empty) Reset()                       { *m = Empty{} }
func (m *Empty) String() string               { return "{}" }
func (*Empty) ProtoMessage()                  {}
func (m *CheckRequest) Reset()                { *m = CheckRequest{} }
func (m *CheckRequest) String() string        { return fmt.Sprintf("%+v", *m) }
func (*CheckRequest) ProtoMessage()           {}
func (m *HealthCheckResponse) Reset()         { *m = HealthCheckResponse{} }
func (m *HealthCheckResponse) String() string { return fmt.Sprintf("%+v", *m) }
func (*HealthCheckResponse) ProtoMessage()    {}
func (m *CreateSandboxRequest) Reset()        { *m = CreateSandboxRequest{} }
func (m *CreateSandboxRequest) String() string {
	return fmt.Sprintf("%+v", *m)
}
func (*CreateSandboxRequest) ProtoMessage()      {}
func (m *DestroySandboxRequest) Reset()          { *m = DestroySandboxRequest{} }
func (m *DestroySandboxRequest) String() string  { return "{}" }
func (*DestroySandboxRequest) ProtoMessage()     {}
func (m *Storage) Reset()                        { *m = Storage{} }
func (m *Storage) String() string                { return fmt.Sprintf("%+v", *m) }
func (*Storage) ProtoMessage()                   {}
func (m *CreateContainerRequest) Reset()         { *m = CreateContainerRequest{} }
func (m *CreateContainerRequest) String() string { return fmt.Sprintf("%+v", *m) }
func (*CreateContainerRequest) ProtoMessage()    {}
func (m *StartContainerRequest) Reset()          { *m = StartContainerRequest{} }
func (m *StartContainerRequest) String() string  { return fmt.Sprintf("%+v", *m) }
func (*StartContainerRequest) ProtoMessage()     {}
func (m *RemoveContainerRequest) Reset()         { *m = RemoveContainerRequest{} }
func (m *RemoveContainerRequest) String() string { return fmt.Sprintf("%+v", *m) }
func (*RemoveContainerRequest) ProtoMessage()    {}
func (m *ReadStreamRequest) Reset()              { *m = ReadStreamRequest{} }
func (m *ReadStreamRequest) String() string      { return fmt.Sprintf("%+v", *m) }
func (*ReadStreamRequest) ProtoMessage()         {}
func (m *ReadStreamResponse) Reset()             { *m = ReadStreamResponse{} }
func (m *ReadStreamResponse) String() string     { return fmt.Sprintf("%d bytes", len(m.Data)) }
func (*ReadStreamResponse) ProtoMessage()        {}
func (m *WaitProcessRequest) Reset()             { *m = WaitProcessRequest{} }
func (m *WaitProcessRequest) String() string     { return fmt.Sprintf("%+v", *m) }
func (*WaitProcessRequest) ProtoMessage()        {}
func (m *WaitProcessResponse) Reset()            { *m = WaitProcessResponse{} }
func (m *WaitProcessResponse) String() string    { return fmt.Sprintf("%+v", *m) }
func (*WaitProcessResponse) ProtoMessage()       {}
func (m *Spec) Reset()                           { *m = Spec{} }
func (m *Spec) String() string                   { return fmt.Sprintf("%+v", *m) }
func (*Spec) ProtoMessage()                      {}
func (m *Process) Reset()                        { *m = Process{} }
func (m *Process) String() string                { return fmt.Sprintf("%+v", *m) }
func (*Process) ProtoMessage()                   {}
func (m *User) Reset()                           { *m = User{} }
func (m *User) String() string                   { return fmt.Sprintf("%+v", *m) }
func (*User) ProtoMessage()                      {}
func (m *Root) Reset()                           { *m = Root{} }
func (m *Root) String() string                   { return fmt.Sprintf("%+v", *m) }
func (*Root) ProtoMessage()                      {}
func (m *Linux) Reset()                          { *m = Linux{} }
func (m *Linux) String() string                  { return fmt.Sprintf("%+v", *m) }
func (*Linux) ProtoMessage()                     {}
func (m *LinuxNamespace) Reset()                 { *m = LinuxNamespace{} }
func (m *LinuxNamespace) String() string         { return fmt.Sprintf("%+v", *m) }
func (*LinuxNamespace) ProtoMessage()            {}
