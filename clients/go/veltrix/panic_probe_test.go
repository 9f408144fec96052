//go:build veltrix_panic_probe

package veltrix

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// Needs a library built with `--features panic-probe` (as .ci/ffi.sh
// builds it) and `go test -tags veltrix_panic_probe`: an event with the
// probe's id makes the library's handler panic.
func TestPanicPoisonsTheRouter(t *testing.T) {
	r := newRouter(t, table)
	probe := bytes.Replace(referenceEvent, []byte("id: 831c4e3b-114e-4738-8f0c-de7c849b35b8"),
		[]byte("id: vx-panic-probe"), 1)
	var e *Error
	if _, err := r.Route(YAML, [][]byte{referenceEvent, probe}); !errors.As(err, &e) ||
		e.Code != ErrPanic || !strings.Contains(e.Message, "panic probe") {
		t.Fatalf("the probe: %v", err)
	}
	if _, err := r.Route(YAML, [][]byte{referenceEvent}); !errors.As(err, &e) || e.Code != ErrPanic ||
		!strings.Contains(e.Message, "poisoned") {
		t.Fatalf("after the panic: %v", err)
	}
	if _, err := r.Stats(); !errors.As(err, &e) || e.Code != ErrPanic {
		t.Fatalf("stats after the panic: %v", err)
	}
	other := newRouter(t, table)
	if got, err := other.Route(YAML, [][]byte{referenceEvent}); err != nil || got[0].Outcome != Routed {
		t.Fatalf("another router: %v %v", got, err)
	}
}
