package veltrix

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"hash/fnv"
	"strings"
	"sync"
	"testing"
)

//go:embed testdata/reference-event.yaml
var referenceEvent []byte

// Handlers by first appearance: scoring 0, audit 1, movement 2,
// matchmaking 3, presence 4.
const table = `
key: match_id
partitions: 16
routes:
  - name: scoring
    when:
      kind: [clue_found, treasure_claimed]
    to: [scoring, audit]
  - name: movement
    when:
      kind: [player_moved]
    to: [movement]
  - name: matchmaking
    when:
      kind: [match_requested, match_started, match_ended]
    to: [matchmaking, audit]
  - name: sessions
    when:
      kind: [player_joined, player_left]
    to: [presence]
unmatched: dead_letter
`

func newRouter(t testing.TB, table string) *Router {
	t.Helper()
	r, err := NewRouter([]byte(table))
	if err != nil {
		t.Fatalf("NewRouter: %v", err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

// partition is SPEC section 4's partition, computed independently.
func partition(key string, partitions uint64) uint32 {
	h := fnv.New64a()
	h.Write([]byte(key))
	return uint32(h.Sum64() % partitions)
}

func heartbeat(id string) []byte {
	return []byte(fmt.Sprintf(`{"id":%q,"seq":1,"ts":5,"kind":"heartbeat","player_id":"p-9","region":"eu"}`, id))
}

func TestLibraryABIVersion(t *testing.T) {
	if got := LibraryABIVersion(); got != ABIVersion {
		t.Fatalf("library ABI version %d, package written for %d", got, ABIVersion)
	}
}

func TestRouteTheReferenceEventInEveryFormat(t *testing.T) {
	r := newRouter(t, table)
	if got, want := strings.Join(r.HandlerNames(), ","), "scoring,audit,movement,matchmaking,presence"; got != want {
		t.Fatalf("handler names %s, want %s", got, want)
	}
	js, err := Convert(YAML, JSON, referenceEvent)
	if err != nil {
		t.Fatal(err)
	}
	pb, err := Convert(JSON, Protobuf, js)
	if err != nil {
		t.Fatal(err)
	}
	want := Result{Outcome: Routed, Kind: 4, Partition: partition("m-20240528-5796", 16), Handlers: 0b11}
	for _, c := range []struct {
		format Format
		event  []byte
	}{{YAML, referenceEvent}, {JSON, js}, {Protobuf, pb}} {
		got, err := r.Route(c.format, [][]byte{c.event})
		if err != nil {
			t.Fatalf("%v: %v", c.format, err)
		}
		if len(got) != 1 || got[0] != want {
			t.Fatalf("%v: got %+v, want %+v", c.format, got, want)
		}
		if got[0].Kind.String() != "clue_found" || got[0].Outcome.String() != "routed" {
			t.Fatalf("names: %v %v", got[0].Kind, got[0].Outcome)
		}
	}
	s, err := r.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if s.Events != 3 || s.Routed != 3 || s.Routes["scoring"] != 3 || s.Handlers["audit"] != 3 ||
		s.Handlers["presence"] != 0 || s.Partitions[want.Partition] != 3 || len(s.Partitions) != 16 {
		t.Fatalf("stats %+v", s)
	}
}

func TestBadEventsAreRejectedResults(t *testing.T) {
	r := newRouter(t, table)
	bad := bytes.Replace(referenceEvent, []byte("points: 300"), []byte("points: lots"), 1)
	got, err := r.Route(YAML, [][]byte{referenceEvent, bad, {}, referenceEvent})
	if err != nil {
		t.Fatal(err)
	}
	if got[0].Outcome != Routed || got[3].Outcome != Routed {
		t.Fatalf("good events: %+v", got)
	}
	if got[1].Outcome != Rejected || got[1].Kind != 0 || got[2].Outcome != Rejected {
		t.Fatalf("bad events: %+v", got)
	}
	if !strings.HasPrefix(got[1].Error, "event 2, line ") || !strings.Contains(got[1].Error, "payload.points") {
		t.Fatalf("message of the first rejected event: %q", got[1].Error)
	}
	if got[2].Error != "" {
		t.Fatalf("only the first rejected result carries the message: %q", got[2].Error)
	}
	s, err := r.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if s.Events != 4 || s.Routed != 2 || s.Rejected != 2 || s.DeadLetter != 0 {
		t.Fatalf("stats %+v", s)
	}
}

func TestUnmatchedPolicies(t *testing.T) {
	for _, c := range []struct {
		policy  string
		outcome Outcome
	}{{"dead_letter", DeadLetter}, {"drop", Dropped}, {"error", Rejected}} {
		r := newRouter(t, strings.Replace(table, "unmatched: dead_letter", "unmatched: "+c.policy, 1))
		got, err := r.Route(JSON, [][]byte{heartbeat("h-1")})
		if err != nil {
			t.Fatal(err)
		}
		if got[0].Outcome != c.outcome || got[0].Handlers != 0 {
			t.Fatalf("unmatched: %s: %+v", c.policy, got[0])
		}
		if c.outcome == Rejected {
			if got[0].Kind != 0 || !strings.Contains(got[0].Error, "no route matched") {
				t.Fatalf("unmatched: error: %+v", got[0])
			}
		} else if got[0].Kind != 9 || got[0].Partition != partition("p-9", 16) {
			t.Fatalf("unmatched: %s: %+v", c.policy, got[0])
		}
	}
}

func TestBatchOfManySizes(t *testing.T) {
	r := newRouter(t, table)
	events := make([][]byte, 0, 300)
	for i := 0; i < 300; i++ {
		if i%7 == 0 {
			events = append(events, heartbeat(fmt.Sprintf("h-%d", i)))
		} else {
			js, err := Convert(YAML, JSON, bytes.Replace(referenceEvent, []byte("plr_6826891"),
				[]byte(fmt.Sprintf("plr_%d", i)), 1))
			if err != nil {
				t.Fatal(err)
			}
			events = append(events, js)
		}
	}
	// Growing batches reuse and grow the C memory.
	for _, n := range []int{1, 64, 3, 300} {
		got, err := r.Route(JSON, events[:n])
		if err != nil {
			t.Fatal(err)
		}
		for i, res := range got {
			want := Routed
			if i%7 == 0 {
				want = DeadLetter
			}
			if res.Outcome != want {
				t.Fatalf("batch %d, event %d: %+v", n, i, res)
			}
		}
	}
	got, err := r.Route(JSON, nil)
	if err != nil || got != nil {
		t.Fatalf("an empty batch: %v %v", got, err)
	}
}

func TestErrors(t *testing.T) {
	_, err := NewRouter([]byte("key: match_id\npartitions: 0\nroutes: []\n"))
	var e *Error
	if !errors.As(err, &e) || e.Code != ErrConfig || !strings.Contains(e.Message, "partitions") {
		t.Fatalf("bad table: %v", err)
	}
	if _, err := NewRouter(nil); !errors.As(err, &e) || e.Code != ErrConfig {
		t.Fatalf("empty table: %v", err)
	}
	r := newRouter(t, table)
	if _, err := r.Route(Format(9), [][]byte{referenceEvent}); !errors.As(err, &e) || e.Code != ErrArgument ||
		!strings.Contains(e.Message, "unknown format 9") {
		t.Fatalf("unknown format: %v", err)
	}
	if _, err := Convert(YAML, JSON, []byte("id: x\n")); !errors.As(err, &e) || e.Code != ErrRejected {
		t.Fatalf("bad event: %v", err)
	}
	if _, err := Convert(YAML, Format(0), referenceEvent); !errors.As(err, &e) || e.Code != ErrArgument {
		t.Fatalf("unknown format: %v", err)
	}
	r.Close()
	r.Close()
	if _, err := r.Route(YAML, [][]byte{referenceEvent}); err == nil {
		t.Fatal("a closed router routes")
	}
	if _, err := r.Stats(); err == nil {
		t.Fatal("a closed router has stats")
	}
}

// A big output goes through the VX_ERR_BUFFER retry.
func TestConvertGrowsItsBuffer(t *testing.T) {
	big := bytes.Replace(referenceEvent, []byte("found under"), []byte(strings.Repeat("x", 5000)), 1)
	js, err := Convert(YAML, JSON, big)
	if err != nil {
		t.Fatal(err)
	}
	y, err := Convert(JSON, YAML, js)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(y, []byte(strings.Repeat("x", 5000))) || !bytes.HasPrefix(y, []byte("---\n")) {
		t.Fatalf("round trip lost the note")
	}
}

// Routers on different goroutines (threads) are independent, and one router
// serialises its callers.
func TestConcurrentRouters(t *testing.T) {
	shared := newRouter(t, table)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			own, err := NewRouter([]byte(table))
			if err != nil {
				errs <- err
				return
			}
			defer own.Close()
			for i := 0; i < 50; i++ {
				for _, r := range []*Router{own, shared} {
					got, err := r.Route(YAML, [][]byte{referenceEvent, []byte("nope: [")})
					if err != nil {
						errs <- err
						return
					}
					if got[0].Outcome != Routed || got[1].Outcome != Rejected || got[1].Error == "" {
						errs <- fmt.Errorf("got %+v", got)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	s, err := shared.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if s.Events != 400 || s.Routed != 200 || s.Rejected != 200 {
		t.Fatalf("shared stats %+v", s)
	}
}
