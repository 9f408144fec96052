package veltrix

import (
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

// The seed's Go router blamed cgo for "700 µs per call". These benchmarks
// measure, in one run on the reference event (testdata, 512 bytes): the
// empty crossing, one YAML event routed from Go, a batch of 64 (per event)
// and the seed's own path, yaml.v3 into map[string]interface{}.
//
//	cargo build --release -p veltrix-ffi
//	CGO_LDFLAGS="-L$PWD/target/release -Wl,-rpath,$PWD/target/release" \
//	  go test -run '^$' -bench . -benchmem ./clients/go/veltrix

func BenchmarkEmptyCgoCall(b *testing.B) {
	for i := 0; i < b.N; i++ {
		if LibraryABIVersion() != ABIVersion {
			b.Fatal("ABI version")
		}
	}
}

func benchRoute(b *testing.B, format Format, event []byte, batch int) {
	r := newRouter(b, table)
	events := make([][]byte, batch)
	for i := range events {
		events[i] = event
	}
	b.SetBytes(int64(len(event) * batch))
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		got, err := r.Route(format, events)
		if err != nil || got[batch-1].Outcome != Routed {
			b.Fatalf("%v %v", got, err)
		}
	}
	elapsed := time.Since(start)
	b.ReportMetric(float64(elapsed.Nanoseconds())/float64(b.N*batch), "ns/event")
}

func BenchmarkRouteYAML1(b *testing.B)  { benchRoute(b, YAML, referenceEvent, 1) }
func BenchmarkRouteYAML64(b *testing.B) { benchRoute(b, YAML, referenceEvent, 64) }

func BenchmarkRouteProtobuf64(b *testing.B) {
	pb, err := Convert(YAML, Protobuf, referenceEvent)
	if err != nil {
		b.Fatal(err)
	}
	benchRoute(b, Protobuf, pb, 64)
}

// The seed's path: the whole document into a map, nothing routed yet.
func BenchmarkYAMLv3IntoMap(b *testing.B) {
	b.SetBytes(int64(len(referenceEvent)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		var m map[string]interface{}
		if err := yaml.Unmarshal(referenceEvent, &m); err != nil || m["kind"] != "clue_found" {
			b.Fatalf("%v %v", m, err)
		}
	}
}
