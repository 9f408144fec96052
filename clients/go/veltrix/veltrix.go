// Package veltrix embeds the Veltrix router in a Go program through its C ABI
// (crates/veltrix-ffi, SPEC section 8): routing tables, batches of YAML, JSON
// or protobuf events routed in-process, format conversion and the run's
// summary.
//
// Each Route call crosses into C once for the whole batch: the events are
// copied into C memory owned by the Router (cgo forbids passing C a Go array
// of pointers into Go memory, and runtime.Pinner needs Go 1.21), and the
// results come back in a Go slice of plain integers. The library's
// thread-local error message is read inside the same C call, since a
// goroutine may move to another thread between two cgo calls.
//
// Build: the package links libveltrix; point the linker at it, for example
//
//	cargo build --release -p veltrix-ffi
//	CGO_LDFLAGS="-L$PWD/target/release -Wl,-rpath,$PWD/target/release" go test ./...
package veltrix

/*
#cgo CFLAGS: -I${SRCDIR}/../../../crates/veltrix-ffi/include
#cgo LDFLAGS: -lveltrix -lm -ldl -lpthread
#include <stdlib.h>
#include "veltrix.h"

// Copies this thread's last error into err (at most cap bytes) and returns
// its full length.
static size_t vxgo_error(uint8_t *err, size_t cap) {
	return vx_last_error(err, cap);
}

// vx_route plus, in the same C call (so on the same thread), the message of
// the first rejected event or of the failure.
static int32_t vxgo_route(vx_router *router, int32_t format, const vx_bytes *events, size_t n,
                          vx_result *results, uint8_t *err, size_t cap, size_t *err_len) {
	int32_t code = vx_route(router, format, events, n, results);
	*err_len = 0;
	if (code != VX_OK) {
		*err_len = vxgo_error(err, cap);
		return code;
	}
	for (size_t i = 0; i < n; i++) {
		if (results[i].outcome == VX_REJECTED) {
			*err_len = vxgo_error(err, cap);
			break;
		}
	}
	return code;
}

static int32_t vxgo_router_new(const uint8_t *table, size_t len, vx_router **out, uint8_t *err,
                               size_t cap, size_t *err_len) {
	int32_t code = vx_router_new(table, len, out);
	*err_len = code == VX_OK ? 0 : vxgo_error(err, cap);
	return code;
}

static int32_t vxgo_convert(int32_t from, int32_t to, const uint8_t *in, size_t len, uint8_t *out,
                            size_t cap, size_t *written, uint8_t *err, size_t err_cap,
                            size_t *err_len) {
	int32_t code = vx_convert(from, to, in, len, out, cap, written);
	*err_len = code == VX_OK ? 0 : vxgo_error(err, err_cap);
	return code;
}

static int32_t vxgo_stats_json(const vx_router *router, uint8_t *out, size_t cap, size_t *written,
                               uint8_t *err, size_t err_cap, size_t *err_len) {
	int32_t code = vx_stats_json(router, out, cap, written);
	*err_len = code == VX_OK ? 0 : vxgo_error(err, err_cap);
	return code;
}

static int32_t vxgo_handler_name(const vx_router *router, uint32_t index, uint8_t *out, size_t cap,
                                 size_t *written, uint8_t *err, size_t err_cap, size_t *err_len) {
	int32_t code = vx_handler_name(router, index, out, cap, written);
	*err_len = code == VX_OK ? 0 : vxgo_error(err, err_cap);
	return code;
}
*/
import "C"

import (
	"encoding/json"
	"fmt"
	"sync"
	"unsafe"
)

// ABIVersion is the C ABI version this package was written for.
const ABIVersion = 1

// Format is an event encoding.
type Format int32

// The formats of SPEC section 2.
const (
	YAML     Format = C.VX_FORMAT_YAML
	JSON     Format = C.VX_FORMAT_JSON
	Protobuf Format = C.VX_FORMAT_PROTOBUF
)

// String returns the format's name on the command line.
func (f Format) String() string {
	switch f {
	case YAML:
		return "yaml"
	case JSON:
		return "json"
	case Protobuf:
		return "proto"
	}
	return fmt.Sprintf("Format(%d)", int32(f))
}

// Outcome is what happened to one event (SPEC section 4).
type Outcome int32

// The outcomes of a routed event.
const (
	Routed     Outcome = C.VX_ROUTED
	DeadLetter Outcome = C.VX_DEAD_LETTER
	Dropped    Outcome = C.VX_DROPPED
	Rejected   Outcome = C.VX_REJECTED
)

// String returns the outcome's name as `veltrix route --explain` prints it.
func (o Outcome) String() string {
	switch o {
	case Routed:
		return "routed"
	case DeadLetter:
		return "dead_letter"
	case Dropped:
		return "dropped"
	case Rejected:
		return "rejected"
	}
	return fmt.Sprintf("Outcome(%d)", int32(o))
}

// Kind is an event kind, 1..9 in the order of SPEC section 2; 0 when the
// event was rejected.
type Kind uint32

var kindNames = [...]string{"", "player_joined", "player_left", "player_moved", "clue_found",
	"treasure_claimed", "match_requested", "match_started", "match_ended", "heartbeat"}

// String returns the kind's wire name ("" for 0).
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", uint32(k))
}

// Result is what happened to one event of a batch.
type Result struct {
	Outcome Outcome
	Kind    Kind
	// Partition is the event's partition when it was routed (also set for
	// dead-lettered and dropped events).
	Partition uint32
	// Handlers has bit i set when handler i (Router.HandlerNames()[i])
	// received the event.
	Handlers uint64
	// Error says what is wrong with a rejected event and where. The library
	// reports one message per batch, so only the first rejected result of a
	// batch carries it.
	Error string
}

// Code is a return code of the C ABI.
type Code int32

// The failure codes of the C ABI, and Rejected for Convert's bad event.
const (
	ErrArgument Code = C.VX_ERR_ARGUMENT
	ErrConfig   Code = C.VX_ERR_CONFIG
	ErrBuffer   Code = C.VX_ERR_BUFFER
	ErrPanic    Code = C.VX_ERR_PANIC
	ErrRejected Code = C.VX_REJECTED
)

func (c Code) String() string {
	switch c {
	case ErrArgument:
		return "argument"
	case ErrConfig:
		return "config"
	case ErrBuffer:
		return "buffer"
	case ErrPanic:
		return "panic"
	case ErrRejected:
		return "rejected"
	}
	return fmt.Sprintf("Code(%d)", int32(c))
}

// Error is a failed call: its code and the library's message.
type Error struct {
	Code    Code
	Message string
}

func (e *Error) Error() string {
	return fmt.Sprintf("veltrix: %s: %s", e.Code, e.Message)
}

// errorCap bounds the message read back with a failure; longer ones are cut.
const errorCap = 4096

// scratch is C memory for one call's side outputs.
type scratch struct {
	err    *C.uint8_t
	errLen *C.size_t
	// written is the size_t an output call writes.
	written *C.size_t
}

func newScratch() scratch {
	return scratch{
		err:     (*C.uint8_t)(C.malloc(errorCap)),
		errLen:  (*C.size_t)(C.malloc(C.size_t(unsafe.Sizeof(C.size_t(0))))),
		written: (*C.size_t)(C.malloc(C.size_t(unsafe.Sizeof(C.size_t(0))))),
	}
}

func (s *scratch) free() {
	C.free(unsafe.Pointer(s.err))
	C.free(unsafe.Pointer(s.errLen))
	C.free(unsafe.Pointer(s.written))
	*s = scratch{}
}

func (s *scratch) message() string {
	n := int(*s.errLen)
	if n > errorCap {
		n = errorCap
	}
	return C.GoStringN((*C.char)(unsafe.Pointer(s.err)), C.int(n))
}

func (s *scratch) fail(code C.int32_t) error {
	return &Error{Code: Code(code), Message: s.message()}
}

// Router routes batches of events with one routing table. Its methods may be
// called from several goroutines; they are serialised (the C router is used
// by one thread at a time). Close frees it.
type Router struct {
	mu       sync.Mutex
	router   *C.vx_router
	handlers []string
	s        scratch
	// C memory for the batch: the events' bytes and their vx_bytes array,
	// grown as needed and reused.
	data      *C.uint8_t
	dataCap   int
	events    *C.vx_bytes
	eventsCap int
	results   []C.vx_result
}

// NewRouter compiles a routing table (SPEC section 4, YAML) into a router
// whose handlers count the events they receive.
func NewRouter(table []byte) (*Router, error) {
	r := &Router{s: newScratch()}
	var out *C.vx_router
	var tablePtr *C.uint8_t
	if len(table) > 0 {
		tablePtr = (*C.uint8_t)(unsafe.Pointer(&table[0]))
	} else {
		tablePtr = r.s.err // any valid pointer: zero bytes are read
	}
	code := C.vxgo_router_new(tablePtr, C.size_t(len(table)), &out, r.s.err, errorCap, r.s.errLen)
	if code != C.VX_OK {
		err := r.s.fail(code)
		r.s.free()
		return nil, err
	}
	r.router = out
	for i := 0; ; i++ {
		name, err := r.handlerName(uint32(i))
		if err != nil {
			if e, ok := err.(*Error); ok && e.Code == ErrArgument {
				break
			}
			r.Close()
			return nil, err
		}
		r.handlers = append(r.handlers, name)
	}
	return r, nil
}

func (r *Router) handlerName(index uint32) (string, error) {
	buf := make([]byte, 64)
	for {
		code := C.vxgo_handler_name(r.router, C.uint32_t(index), (*C.uint8_t)(unsafe.Pointer(&buf[0])),
			C.size_t(len(buf)), r.s.written, r.s.err, errorCap, r.s.errLen)
		switch code {
		case C.VX_OK:
			return string(buf[:*r.s.written]), nil
		case C.VX_ERR_BUFFER:
			buf = make([]byte, int(*r.s.written))
		default:
			return "", r.s.fail(code)
		}
	}
}

// HandlerNames returns the table's handler names by id: bit i of
// Result.Handlers is HandlerNames()[i].
func (r *Router) HandlerNames() []string {
	return append([]string(nil), r.handlers...)
}

var errClosed = &Error{Code: ErrArgument, Message: "the router is closed"}

// Route decodes and routes a batch of events, all in one format, and returns
// one result per event, in order. A bad event is a Rejected result, not an
// error; the error is for a failed call (a closed router, a panic caught in
// the library, which poisons the router).
func (r *Router) Route(format Format, events [][]byte) ([]Result, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.router == nil {
		return nil, errClosed
	}
	n := len(events)
	if n == 0 {
		return nil, nil
	}
	total := 0
	for _, e := range events {
		total += len(e)
	}
	r.reserve(n, total)
	data := unsafe.Slice((*byte)(unsafe.Pointer(r.data)), r.dataCap)
	frames := unsafe.Slice(r.events, r.eventsCap)
	off := 0
	for i, e := range events {
		copy(data[off:], e)
		frames[i].ptr = (*C.uint8_t)(unsafe.Add(unsafe.Pointer(r.data), off))
		frames[i].len = C.size_t(len(e))
		off += len(e)
	}
	if cap(r.results) < n {
		r.results = make([]C.vx_result, n)
	}
	results := r.results[:n]
	code := C.vxgo_route(r.router, C.int32_t(format), r.events, C.size_t(n), &results[0],
		r.s.err, errorCap, r.s.errLen)
	if code != C.VX_OK {
		return nil, r.s.fail(code)
	}
	out := make([]Result, n)
	first := true
	for i := range results {
		c := &results[i]
		out[i] = Result{
			Outcome:   Outcome(c.outcome),
			Kind:      Kind(c.kind),
			Partition: uint32(c.partition),
			Handlers:  uint64(c.handlers),
		}
		if first && out[i].Outcome == Rejected {
			out[i].Error = r.s.message()
			first = false
		}
	}
	return out, nil
}

// reserve grows the batch's C memory to hold n events of total bytes (at
// least one byte, so that every event pointer is valid and non-NULL).
func (r *Router) reserve(n, total int) {
	if total < 1 {
		total = 1
	}
	if r.dataCap < total {
		C.free(unsafe.Pointer(r.data))
		r.dataCap = grow(r.dataCap, total)
		r.data = (*C.uint8_t)(C.malloc(C.size_t(r.dataCap)))
	}
	if r.eventsCap < n {
		C.free(unsafe.Pointer(r.events))
		r.eventsCap = grow(r.eventsCap, n)
		r.events = (*C.vx_bytes)(C.malloc(C.size_t(r.eventsCap) * C.size_t(unsafe.Sizeof(C.vx_bytes{}))))
	}
	if r.data == nil || r.events == nil {
		panic("veltrix: out of C memory")
	}
}

func grow(have, need int) int {
	if have*2 > need {
		return have * 2
	}
	return need
}

// Stats is the router's summary, the shape `veltrix route` prints (SPEC
// section 5).
type Stats struct {
	Events     uint64            `json:"events"`
	Routed     uint64            `json:"routed"`
	DeadLetter uint64            `json:"dead_letter"`
	Dropped    uint64            `json:"dropped"`
	Rejected   uint64            `json:"rejected"`
	Routes     map[string]uint64 `json:"routes"`
	Handlers   map[string]uint64 `json:"handlers"`
	Partitions []uint64          `json:"partitions"`
}

// StatsJSON returns the summary as the library writes it.
func (r *Router) StatsJSON() ([]byte, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.router == nil {
		return nil, errClosed
	}
	buf := make([]byte, 256+64*len(r.handlers))
	for {
		code := C.vxgo_stats_json(r.router, (*C.uint8_t)(unsafe.Pointer(&buf[0])), C.size_t(len(buf)),
			r.s.written, r.s.err, errorCap, r.s.errLen)
		switch code {
		case C.VX_OK:
			return buf[:*r.s.written], nil
		case C.VX_ERR_BUFFER:
			buf = make([]byte, int(*r.s.written))
		default:
			return nil, r.s.fail(code)
		}
	}
}

// Stats returns the totals of every result Route returned.
func (r *Router) Stats() (Stats, error) {
	var s Stats
	text, err := r.StatsJSON()
	if err != nil {
		return s, err
	}
	err = json.Unmarshal(text, &s)
	return s, err
}

// Close frees the router. Further calls fail; closing again is a no-op.
func (r *Router) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.router != nil {
		C.vx_router_free(r.router)
		r.router = nil
	}
	C.free(unsafe.Pointer(r.data))
	C.free(unsafe.Pointer(r.events))
	r.data, r.dataCap, r.events, r.eventsCap = nil, 0, nil, 0
	if r.s.err != nil {
		r.s.free()
	}
	return nil
}

// Convert converts one event from one format to another: YAML is one
// document starting with "---", JSON one line ending with a newline,
// protobuf one message. A bad event is an *Error with code ErrRejected.
func Convert(from, to Format, event []byte) ([]byte, error) {
	s := newScratch()
	defer s.free()
	in := (*C.uint8_t)(unsafe.Pointer(s.err)) // any valid pointer for an empty input
	if len(event) > 0 {
		in = (*C.uint8_t)(unsafe.Pointer(&event[0]))
	}
	out := make([]byte, 2*len(event)+256)
	for {
		code := C.vxgo_convert(C.int32_t(from), C.int32_t(to), in, C.size_t(len(event)),
			(*C.uint8_t)(unsafe.Pointer(&out[0])), C.size_t(len(out)), s.written, s.err, errorCap, s.errLen)
		switch code {
		case C.VX_OK:
			return out[:*s.written], nil
		case C.VX_ERR_BUFFER:
			out = make([]byte, int(*s.written))
		default:
			return nil, s.fail(code)
		}
	}
}

// LibraryABIVersion returns the linked library's ABI version: one cgo call
// that does nothing else (the benchmark's empty crossing).
func LibraryABIVersion() uint32 {
	return uint32(C.vx_abi_version())
}
